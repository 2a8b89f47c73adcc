from django.urls import path

from . import views

app_name = "interviews"

# newsroom/urls.py mounts these at /interviews/; the staff preview lives at
# /preview/interviews/<pk>/ beside the story preview (views.interview_preview).
urlpatterns = [
    path("", views.InterviewListView.as_view(), name="list"),
    path("guests/<slug:slug>/", views.GuestView.as_view(), name="guest"),
    path("<slug:slug>/", views.interview_detail, name="detail"),
]
