from django.db import migrations


def create_record(apps, schema_editor):
    apps.get_model("digest", "SiteSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("digest", "0004_digest_parts")]

    operations = [migrations.RunPython(create_record, migrations.RunPython.noop)]
