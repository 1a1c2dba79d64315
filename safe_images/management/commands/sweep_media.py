import time

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import models

UPLOAD_FOLDERS = ("avatars", "posts", "sponsors")


def referenced_names():
    """Every file name a row holds: in file fields, and in JSON (a post's revisions keep the
    lead image they had, and restoring one brings it back)."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                values = model._default_manager.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                names.update(value for value in values if value)
            elif isinstance(field, models.JSONField):
                for value in model._default_manager.values_list(field.name, flat=True).iterator():
                    names.update(strings_in(value))
    return names


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def stored_names(storage, folder=""):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


class Command(BaseCommand):
    help = (
        "Delete uploaded pictures (avatars/, posts/, sponsors/) that no row or revision names "
        "(replaced, or left by a worker killed mid-upload). Only files older than "
        "--older-than minutes, so uploads in flight are safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60, help="Minutes (default 60).")
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *args, older_than, dry_run, **options):
        keep = referenced_names()
        cutoff = time.time() - older_than * 60
        stored = (
            name
            for folder in UPLOAD_FOLDERS
            if default_storage.exists(folder)
            for name in stored_names(default_storage, folder)
        )
        orphans = [
            name
            for name in stored
            if name not in keep and default_storage.get_modified_time(name).timestamp() < cutoff
        ]
        for name in orphans:
            if not dry_run:
                default_storage.delete(name)
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
        self.stdout.write(f"{len(orphans)} unreferenced file(s), {len(keep)} in use.")
