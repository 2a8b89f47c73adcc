from django.urls import path

from . import views

app_name = "comments"

# newsroom/urls.py mounts these at /comments/.
urlpatterns = [
    path("csrf/", views.csrf_token, name="csrf"),
    path("<slug:kind>/<int:pk>/", views.post_comment, name="post"),
]
