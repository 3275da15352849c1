from django.core.management.base import BaseCommand

from jiceng.demands import classifier
from jiceng.demands.workflow import staff_corrections


class Command(BaseCommand):
    help = "Retrain the demand classifier on the shipped corpus plus staff corrections (categories changed on "
    "acceptance) and make it the default model."

    def handle(self, *args, **options):
        corrections = staff_corrections()
        model = classifier.retrain(corrections)
        self.stdout.write(f"retrained on the corpus and {len(corrections)} staff corrections "
                          f"({model.info.get('source', '')})")
