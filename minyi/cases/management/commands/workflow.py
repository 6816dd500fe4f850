from django.core.management.base import BaseCommand
from django.utils import translation

from minyi.cases.workflow import markdown_table


class Command(BaseCommand):
    help = "Print the case workflow (operations, roles, statuses) as a Markdown table."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", help="Language of the labels (en, zh-hans).")

    def handle(self, *args, language: str = "en", **options):
        with translation.override(language):
            self.stdout.write(markdown_table(), ending="")
