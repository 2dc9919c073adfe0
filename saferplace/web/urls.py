from django.urls import path

from saferplace.web.views import audit, auth, home, imports, incidents, partners, places, profiles

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-in/code/", auth.two_factor, name="two-factor"),
    path("account/two-factor/", auth.two_factor_setup, name="two-factor-setup"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("map/", places.map_page, name="map"),
    path("places/<str:kind>.geojson", places.boundaries, name="place-boundaries"),
    path("partners/", partners.organisation_list, name="organisation-list"),
    path("partners/new/", partners.organisation_edit, name="organisation-create"),
    path("partners/<int:organisation_id>/", partners.organisation_detail, name="organisation-detail"),
    path("partners/<int:organisation_id>/edit/", partners.organisation_edit, name="organisation-edit"),
    path("partners/<int:organisation_id>/users/new/", partners.user_add, name="user-add"),
    path("users/<int:user_id>/active/", partners.user_active, name="user-active"),
    path("agreements/", partners.agreement_list, name="agreement-list"),
    path("agreements/new/", partners.agreement_edit, name="agreement-create"),
    path("agreements/<int:agreement_id>/", partners.agreement_detail, name="agreement-detail"),
    path("agreements/<int:agreement_id>/edit/", partners.agreement_edit, name="agreement-edit"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("incidents/", incidents.incident_list, name="incident-list"),
    path("incidents/export.csv", incidents.incident_export, name="incident-export"),
    path("incidents/export.geojson", incidents.incident_export_geojson, name="incident-export-geojson"),
    path("incidents/hexagons.json", incidents.incident_hexagons, name="incident-hexagons"),
    path("incidents/points.json", incidents.incident_points, name="incident-points"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident-detail"),
    path("imports/", imports.import_list, name="import-list"),
    path("imports/new/", imports.import_new, name="import-new"),
    path("imports/<int:run_id>/", imports.import_detail, name="import-detail"),
    path("imports/<int:run_id>/status", imports.import_status, name="import-status"),
    path("imports/<int:run_id>/rejections.csv", imports.import_rejections, name="import-rejections"),
    path("profiles/", profiles.profile_list, name="profile-list"),
    path("profiles/new/", profiles.profile_edit, name="profile-create"),
    path("profiles/<int:profile_id>/edit/", profiles.profile_edit, name="profile-edit"),
]
