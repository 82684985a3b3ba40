from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination.models import Mechanism, Membership, Organisation, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "parent", "level", "name_zh", "name_en", "plate_prefix", "abbr"]


class MechanismSerializer(serializers.ModelSerializer):
    default_deadline_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Mechanism
        fields = [
            "code",
            "name_zh",
            "name_en",
            "pattern",
            "secondary_pattern",
            "agreed_on",
            "default_deadline_minutes",
            "deadline_basis",
        ]

    def get_default_deadline_minutes(self, obj) -> int:
        return int(obj.default_deadline.total_seconds() // 60)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name_zh", "name_en", "kind", "region", "city"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    organisation = OrganisationSerializer(source="membership.organisation", allow_null=True)
    role = serializers.ChoiceField(source="membership.role", choices=Membership.Role.choices, allow_null=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"))
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        user = authenticate(request=self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Wrong username or password."), code="invalid_credentials")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class StrictSerializer(serializers.Serializer):
    """A request body that names only fields the serializer knows: an unknown key (a typo, a
    field of another version) is a 400 naming it, never silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
