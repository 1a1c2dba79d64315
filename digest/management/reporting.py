"""What the import commands print: progress on long runs and the closing summary."""

import sys


def progress(noun):
    """A callback printing "  500/2000 <noun>" on one line, for runs of 100 or more."""

    def show(done, total):
        if total >= 100:
            sys.stderr.write(f"\r  {done}/{total} {noun}")
            if done == total:
                sys.stderr.write("\n")

    return show


def write_report(command, report, dry_run):
    for line in report.summary():
        command.stdout.write(f"  {line}")
    for problem in report.problems:
        command.stdout.write(command.style.WARNING(f"  skipped {problem}"))
    for note in report.notes:
        command.stdout.write(command.style.NOTICE(f"  note: {note}"))
    if report.structured or report.as_text:
        command.stdout.write(
            f"  lines: {report.structured} kept structured, {report.as_text} kept as text"
        )
    written = report.total("created") + report.total("updated")
    unchanged, skipped = report.total("unchanged"), report.total("skipped")
    if dry_run:
        command.stdout.write(command.style.NOTICE("  Dry run: nothing was written."))
    elif not written and unchanged:
        # A re-run: what was imported before is still there, even when some entries were
        # skipped again (they are listed above).
        style = command.style.WARNING if skipped else command.style.SUCCESS
        also = f", {skipped} skipped" if skipped else ""
        command.stdout.write(
            style(f"  Nothing changed: {unchanged} unchanged (imported before){also}.")
        )
    elif not written:
        command.stdout.write(command.style.WARNING("  Nothing was imported."))
