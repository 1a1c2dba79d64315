from django.apps import AppConfig


class SafeImagesConfig(AppConfig):
    name = "safe_images"
    verbose_name = "Uploaded pictures"
