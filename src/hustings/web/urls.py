"""URL map: public pages first, then the staff and nominator pages, then admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hustings.web.contests import setup_views as setup
from hustings.web.contests import views as contests
from hustings.web.endorsements import views as endorsements
from hustings.web.nominations import views as nominations
from hustings.web.voting import gallery

urlpatterns = [
    path("", contests.contest_list, name="contest-list"),
    path("elections/<slug:slug>/", contests.election_detail, name="election-detail"),
    path("contests/<slug:slug>/", contests.contest_detail, name="contest-detail"),
    path("contests/<slug:slug>/nominations/", nominations.nominations_table,
         name="nominations-table"),
    path("contests/<slug:slug>/candidates/<slug:candidate>/", contests.candidate_detail,
         name="candidate-detail"),
    path("contests/<slug:slug>/endorsements/", endorsements.timeline, name="endorsements"),
    # nominators and candidates
    path("contests/<slug:slug>/nominate/", nominations.nominate, name="nominate"),
    path("contests/<slug:slug>/nominations/<int:pk>/withdraw/", nominations.withdraw,
         name="withdraw"),
    path("contests/<slug:slug>/candidates/<slug:candidate>/respond/", nominations.respond,
         name="respond"),
    # returning officers
    path("contests/<slug:slug>/manage/", contests.manage, name="contest-manage"),
    path("contests/<slug:slug>/transition/", contests.transition, name="contest-transition"),
    path("contests/<slug:slug>/audit/", contests.audit_log, name="audit-log"),
    path("contests/<slug:slug>/nominations/record/", nominations.record, name="record-nomination"),
    path("contests/<slug:slug>/endorsements/import/", endorsements.import_csv,
         name="endorsement-import"),
    path("contests/<slug:slug>/endorsements/add/", endorsements.edit, name="endorsement-add"),
    path("contests/<slug:slug>/endorsements/<int:pk>/edit/", endorsements.edit,
         name="endorsement-edit"),
    path("contests/<slug:slug>/endorsements/<int:pk>/delete/", endorsements.delete,
         name="endorsement-delete"),
    # setting a contest up, and its people
    path("new-contest/", setup.new_contest, name="contest-new"),
    path("new-election/", setup.new_election, name="election-new"),
    path("contests/<slug:slug>/setup/", setup.setup_page, name="contest-setup"),
    path("contests/<slug:slug>/setup/candidates/", setup.candidates, name="setup-candidates"),
    path("contests/<slug:slug>/setup/dates/", setup.dates, name="setup-dates"),
    path("contests/<slug:slug>/setup/bodies/", setup.bodies, name="setup-bodies"),
    path("contests/<slug:slug>/people/", setup.people_page, name="contest-people"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # the gallery of real counts (public; the data is read from HUSTINGS_GALLERY_DATA)
    path("gallery/", gallery.index, name="gallery"),
    path("gallery/<slug:key>/", gallery.detail, name="gallery-count"),
    path("gallery/<slug:key>/charts/<str:name>.<str:ext>", gallery.chart, name="gallery-chart"),
    path("", include("hustings.web.voting.urls")),  # voting: ballot, results, officer page
    path("admin/", admin.site.urls),
]
