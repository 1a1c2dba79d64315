from django.core.management.base import BaseCommand, CommandError

from digest.legacy import check_urls, urls_in


class Command(BaseCommand):
    """Report, for each old URL, whether it answers 200 or a 301 to the right post."""

    help = "Check a list of old URLs (one a line, or the links of a feed) against this site."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A text file of URLs, or a feed file.")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8-sig") as handle:
                urls = urls_in(handle.read())
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        if not urls:
            raise CommandError(f"{file} holds no URL.")
        results = check_urls(urls)
        for result in results:
            style = self.style.SUCCESS if result.ok else self.style.ERROR
            self.stdout.write(
                style(f"{'ok ' if result.ok else 'BAD'} {result.url}  {result.detail}")
            )
        broken = sum(1 for result in results if not result.ok)
        self.stdout.write(f"{len(results) - broken} of {len(results)} addresses work.")
        if broken:
            raise CommandError(f"{broken} address(es) do not lead to their post.")
