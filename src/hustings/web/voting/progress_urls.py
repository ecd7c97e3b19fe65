"""URLs of the long steps' pages (progress.py), included by voting/urls.py."""

from django.urls import path

from hustings.web.voting import progress

urlpatterns = [
    path("contests/<slug:slug>/voting/jobs/<int:pk>/", progress.job, name="job"),
    path("contests/<slug:slug>/voting/codes/", progress.codes_status, name="codes_status"),
    path("contests/<slug:slug>/voting/letters.csv", progress.letters, name="letters"),
]
