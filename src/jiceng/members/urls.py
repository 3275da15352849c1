from django.urls import path

from jiceng.core.import_views import ImportConfirmView, ImportTemplateView, ImportUploadView

from . import views, views_affairs, views_work
from .importing import MEMBER_IMPORT

_import = {"spec": MEMBER_IMPORT, "url_prefix": "members:member"}

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="member_list"),
    path("add/", views.MemberEditView.as_view(), name="member_add"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("<int:pk>/reveal/", views.MemberRevealView.as_view(), name="member_reveal"),
    path("import/", ImportUploadView.as_view(**_import), name="member_import"),
    path("import/template/", ImportTemplateView.as_view(**_import), name="member_import_template"),
    path("import/confirm/", ImportConfirmView.as_view(**_import), name="member_import_confirm"),
    path("<int:pk>/dues/<slug:action>/", views_affairs.MemberDuesActionView.as_view(), name="member_dues"),
    path("<int:pk>/transfer/", views_affairs.TransferIssueView.as_view(), name="transfer_issue"),
    path("applications/", views_affairs.ApplicationListView.as_view(), name="application_list"),
    path("applications/add/", views_affairs.ApplicationCreateView.as_view(), name="application_add"),
    path("applications/due/", views_affairs.DueListView.as_view(), name="due_list"),
    path("applications/<int:pk>/", views_affairs.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/documents/", views_affairs.ApplicationDocumentView.as_view(),
         name="application_document"),
    path("applications/<int:pk>/documents/<int:document_id>/", views_affairs.ApplicationDocumentDownloadView.as_view(),
         name="application_document_download"),
    path("applications/<int:pk>/steps/<slug:code>/", views_affairs.ApplicationStepView.as_view(),
         name="application_step"),
    path("transfers/", views_affairs.TransferListView.as_view(), name="transfer_list"),
    path("transfers/incoming/", views_affairs.IncomingTransferView.as_view(), name="transfer_incoming"),
    path("transfers/<int:pk>/", views_affairs.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/letter/", views_affairs.TransferLetterView.as_view(), name="transfer_letter"),
    path("transfers/<int:pk>/<slug:action>/", views_affairs.TransferActionView.as_view(), name="transfer_action"),
    path("dues/", views_affairs.DuesReportView.as_view(), name="dues_report"),
    path("me/", views_affairs.MyPageView.as_view(), name="me"),
    path("inactive/", views_affairs.InactivityReportView.as_view(), name="inactivity"),
    path("work/", views_work.AssignedWorkListView.as_view(), name="work_list"),
    path("work/add/", views_work.AssignedWorkEditView.as_view(), name="work_add"),
    path("work/<int:pk>/", views_work.AssignedWorkDetailView.as_view(), name="work_detail"),
    path("work/<int:pk>/edit/", views_work.AssignedWorkEditView.as_view(), name="work_edit"),
]
