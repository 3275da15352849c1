from django.urls import path

from jiceng.core.import_views import ImportConfirmView, ImportTemplateView, ImportUploadView

from . import update_views, views
from .importing import ENTERPRISE_IMPORT

_import = {"spec": ENTERPRISE_IMPORT, "url_prefix": "enterprises:enterprise"}

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("add/", views.EnterpriseEditView.as_view(), name="enterprise_add"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("<int:pk>/reveal/", views.EnterpriseRevealView.as_view(), name="enterprise_reveal"),
    path("updates/", update_views.UpdateListView.as_view(), name="update_list"),
    path("updates/new/", update_views.UpdateCreateView.as_view(), name="update_add"),
    path("updates/<int:pk>/", update_views.UpdateDetailView.as_view(), name="update_detail"),
    path("import/", ImportUploadView.as_view(**_import), name="enterprise_import"),
    path("import/template/", ImportTemplateView.as_view(**_import), name="enterprise_import_template"),
    path("import/confirm/", ImportConfirmView.as_view(**_import), name="enterprise_import_confirm"),
]
