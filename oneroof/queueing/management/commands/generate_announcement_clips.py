"""Generate the audio clips that display boards join into announcements when a device has
no voice of its own for a language (see oneroof/queueing/announcements.py)."""

from django.core.management.base import BaseCommand, CommandError

from oneroof.queueing.announcements import LANGS, clip_root, espeak_path, generate_clips


class Command(BaseCommand):
    help = (
        "Write the announcement clips (phrases, letters, numbers) with espeak-ng under "
        "MEDIA_ROOT/announcements/<lang>/, and the chime. Files already there, such as "
        "recordings of a human voice, are kept unless --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lang", action="append", choices=LANGS, help="only this language (repeatable)"
        )
        parser.add_argument(
            "--force", action="store_true", help="overwrite existing clips, recordings too"
        )
        parser.add_argument("--speed", type=int, default=160, help="words per minute")

    def handle(self, *args, **options) -> None:
        if espeak_path() is None:
            self.stderr.write(
                "espeak-ng is not installed, so no clips were generated. Install it "
                "(apt-get install espeak-ng) and run this command again, or place recorded "
                f"clips in {clip_root()}/<lang>/<key>.wav. Boards still speak with the "
                "device's own voices where it has them."
            )
            return
        langs = tuple(options["lang"] or LANGS)
        report = generate_clips(langs=langs, force=options["force"], speed=options["speed"])
        self.stdout.write(
            f"{len(report.created)} clips written, {len(report.kept)} existing kept, "
            f"in {clip_root()}."
        )
        if report.failed:
            raise CommandError(f"espeak-ng failed for: {', '.join(report.failed)}")
