from django.urls import include, path

from hustings.web.voting import officer, receipts, results, views

app_name = "voting"
urlpatterns = [
    path("vote/<slug:slug>/", views.start, name="start"),
    path("vote/<slug:slug>/review/", views.review, name="review"),
    path("vote/<slug:slug>/cast/", views.cast, name="cast"),
    path("contests/<slug:slug>/voting/", officer.manage, name="manage"),
    path("contests/<slug:slug>/voting/open-box/", officer.open_box, name="open_box"),
    path("contests/<slug:slug>/receipts/", receipts.check, name="receipts"),
    path("contests/<slug:slug>/results/", results.page, name="results"),
    path("contests/<slug:slug>/results/kit/", results.kit, name="kit"),
    path("contests/<slug:slug>/results/charts/<str:name>.<str:ext>", results.chart,
         name="chart"),
    path("contests/<slug:slug>/results/<str:name>", results.download, name="download"),
    path("", include("hustings.web.voting.progress_urls")),
]
