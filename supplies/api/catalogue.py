"""`/api/v1/supply-items/`: the catalogue of key supplies, read by every member. Administrators
keep it in the admin."""

import django_filters
from django.db.models import Q
from rest_framework import mixins, serializers, viewsets

from supplies.api.common import MemberPermission
from supplies.models import Category, SupplyItem


class SupplyItemSerializer(serializers.ModelSerializer):
    # A string, not an enum in the schema: a second "category" enum would rename the measure
    # notices' CategoryEnum component (drf-spectacular's collision resolution).
    category = serializers.CharField(read_only=True, help_text=", ".join(value for value, _label in Category.choices))
    countable = serializers.BooleanField(read_only=True)

    class Meta:
        model = SupplyItem
        fields = ["code", "name_zh", "name_en", "category", "specification", "standard", "unit", "countable", "active"]
        read_only_fields = fields


class SupplyItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="q")

    class Meta:
        model = SupplyItem
        fields = ["category", "unit", "active", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(standard__icontains=value)
        )


class SupplyItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The catalogue: code, names, category, specification, standard, unit (`countable`: whole
    numbers only). `?active=true`, `?category=respiratory`, `?q=N95`."""

    queryset = SupplyItem.objects.order_by("category", "code")
    serializer_class = SupplyItemSerializer
    permission_classes = [MemberPermission]
    filterset_class = SupplyItemFilter
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9-]+"
