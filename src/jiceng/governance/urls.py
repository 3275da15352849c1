from django.urls import path

from jiceng.core.import_views import ImportConfirmView, ImportTemplateView, ImportUploadView

from . import views
from .importing import OFFICER_IMPORT

_import = {"spec": OFFICER_IMPORT, "url_prefix": "governance:officerassignment"}

app_name = "governance"
urlpatterns = [
    path("", views.CouncilListView.as_view(), name="council_list"),
    path("councils/new/", views.CouncilEditView.as_view(), name="council_add"),
    path("councils/<int:pk>/", views.CouncilDetailView.as_view(), name="council_detail"),
    path("councils/<int:pk>/edit/", views.CouncilEditView.as_view(), name="council_edit"),
    path("councils/<int:pk>/members/", views.MemberAddView.as_view(), name="member_add"),
    path("councils/<int:pk>/nominate/", views.NominateView.as_view(), name="nominate"),
    path("councils/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting_add"),
    path("selections/", views.SelectionListView.as_view(), name="selection_list"),
    path("selections/<int:pk>/", views.SelectionDetailView.as_view(), name="selection_detail"),
    path("selections/<int:pk>/<slug:action>/", views.SelectionActionView.as_view(), name="selection_action"),
    path("notices/<int:pk>/print/", views.NoticePrintView.as_view(), name="notice_print"),
    path("officers/", views.OfficerListView.as_view(), name="officerassignment_list"),
    path("officers/new/", views.OfficerEditView.as_view(), name="officer_add"),
    path("officers/<int:pk>/edit/", views.OfficerEditView.as_view(), name="officer_edit"),
    path("officers/workload/", views.OfficerWorkloadView.as_view(), name="officer_workload"),
    path("officers/import/", ImportUploadView.as_view(**_import), name="officerassignment_import"),
    path("officers/import/template/", ImportTemplateView.as_view(**_import),
         name="officerassignment_import_template"),
    path("officers/import/confirm/", ImportConfirmView.as_view(**_import), name="officerassignment_import_confirm"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/decisions/", views.DecisionAddView.as_view(), name="decision_add"),
    path("decisions/", views.DecisionListView.as_view(), name="decision_list"),
    path("decisions/<int:pk>/<slug:action>/", views.DecisionActionView.as_view(), name="decision_action"),
    path("alliances/", views.AllianceListView.as_view(), name="alliance_list"),
    path("alliances/new/", views.AllianceEditView.as_view(), name="alliance_add"),
    path("alliances/<int:pk>/", views.AllianceDetailView.as_view(), name="alliance_detail"),
    path("alliances/<int:pk>/edit/", views.AllianceEditView.as_view(), name="alliance_edit"),
    path("alliances/<int:pk>/councils/", views.AllianceJoinView.as_view(), name="alliance_join"),
]
