from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from hexa.api.api import api, unknown_endpoint
from hexa.web.urls import account_urlpatterns
from hexa.web.views.agenda import calendar
from hexa.web.views.health import healthz, readyz

# A database that cannot be reached answers 503, not 500 (hexa.lib.unavailable).
handler500 = "hexa.lib.unavailable.server_error"

urlpatterns = [
    path("", include("hexa.web.urls")),
    # For load balancers: no sign-in, tiny JSON, never cached.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # The secret in the address is the credential: calendar apps cannot sign in.
    path("calendar/<str:secret>.ics", calendar, name="calendar"),
    path("accounts/", include(account_urlpatterns)),
    # The language can be switched on the sign-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # django-ninja's own root page answers an HTML 404: the API's is JSON, as for any other
    # address that is no endpoint.
    path("api/v1/", unknown_endpoint),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint),
]

handler400 = "hexa.web.views.errors.bad_request"
