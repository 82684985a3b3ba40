"""The notices app's pages (inbox, circulars), included at the site root by config/urls.py."""

urlpatterns: list = []
