from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.defaults import bad_request, page_not_found, server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from coordination import case_pages, views
from coordination.api.errors import api_400, api_404, api_500
from coordination.workflow import mechanisms

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("cases/<slug:resource>/<int:pk>/", case_pages.case_detail, name="case-detail"),
    path("cases/<slug:resource>/<int:pk>/transitions/<str:name>/", case_pages.case_transition, name="case-transition"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("notices.urls")),
    path("", include("coordination.pages_urls")),
    path("", include("coordination.calendar.urls")),
    path("", include("coordination.trust.urls")),  # /trust-list.json
    path("", include("coordination.verification.urls")),
    # Each mechanism's own pages (its declaration's `urls`).
    *[path("", include(d.urls)) for d in mechanisms.registered() if d.urls],
    path("api/v1/", include("coordination.api.urls")),
    path("api/v1/", include("coordination.mechanisms.health_codes.api_urls")),
    path("", include("coordination.mechanisms.health_codes.urls")),
    path("api/v1/", include("notices.api.urls")),
    path("api/v1/", include("supplies.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]


def handler400(request, exception):
    if request.path.startswith("/api/"):
        return api_400(request, exception)
    return bad_request(request, exception)


def handler404(request, exception):
    if request.path.startswith("/api/"):
        return api_404(request, exception)
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return api_500(request)
    return server_error(request)


admin.site.site_header = _("Yangtze River Delta Joint Prevention Coordination Platform")
admin.site.site_title = _("Yangtze River Delta Joint Prevention Coordination Platform")
