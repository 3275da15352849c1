"""`jiceng classify`: suggest a demand category for each line of stdin.

Reads one demand text per line and writes one JSON object per line (blank lines are skipped):
``{"text": ..., "category": "<code>", "confidence": 0.0–1.0}``. Each line is flushed as soon as it
is classified, so the command can sit at the end of a pipe. ``--evaluate`` instead trains on the
shipped corpus's train split and reports held-out accuracy (overall and per category) and the time
per text.

Without the app in INSTALLED_APPS the module also runs on its own:
``python -m jiceng.demands.management.commands.classify [--evaluate]``.
"""

from __future__ import annotations

import io
import json
import sys
from typing import IO

from django.core.management.base import BaseCommand

from jiceng.demands import classifier
from jiceng.demands.categories import BY_CODE


class Command(BaseCommand):
    help = ("为需求文本推荐分类：从标准输入每行读一条需求，每行输出一个 JSON 对象 "
            '{"text", "category", "confidence"}；--evaluate 报告留出集准确率与每条耗时。')
    requires_system_checks: list[str] = []
    # call_command("classify", stdin=io.StringIO(...)) passes the input stream.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--evaluate", action="store_true",
                            help="用语料的训练集训练，在留出测试集上报告准确率（总体与分类）和每条耗时（毫秒）。")

    def handle(self, *args, evaluate: bool = False, **options):
        if evaluate:
            self.report(classifier.evaluate_shipped())
            return
        model = classifier.load_default()
        for line in self.input_stream(options.get("stdin")):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            code, confidence = model.predict([text])[0]
            row = {"text": text, "category": code, "confidence": round(confidence, 4)}
            self.stdout.write(json.dumps(row, ensure_ascii=False))
            self.stdout.flush()

    @staticmethod
    def input_stream(stream: IO[str] | None) -> IO[str]:
        if stream is not None:
            return stream
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            return sys.stdin
        # Read UTF-8 whatever the locale says; an undecodable byte must not abort a long batch.
        return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")

    def report(self, result: dict) -> None:
        write = self.stdout.write
        write(f"留出测试集 held-out accuracy: {result['accuracy']:.3f}")
        write(f"  测试 test {result['n']} 条，训练 train {result['n_train']} 条，用时 {result['fit_seconds']:.1f} s")
        labels = {"new_templates": "未见过的整句模板 unseen templates",
                  "new_frames": "已知主题+未见过的句式 known topics, unseen frames"}
        for name, row in result.get("subsets", {}).items():
            write(f"  {labels.get(name, name)}: {row['accuracy']:.3f} (n={row['n']})")
        write(f"每条耗时 ms/text: {result['ms_per_text']:.2f}（逐条 one at a time）")
        write(f"  批量 batch: {result['ms_per_text_batch']:.3f}")
        write("分类准确率 per category:")
        for code, row in sorted(result["per_category"].items(), key=lambda kv: kv[1]["accuracy"]):
            name = BY_CODE[code].name_zh if code in BY_CODE else ""
            write(f"  {code:<20} {row['accuracy']:.3f}  n={row['n']:<4} {name}")
        if result["confusions"]:
            write("常见混淆 top confusions: " + "，".join(
                f"{c['expected']}→{c['predicted']} ×{c['count']}" for c in result["confusions"][:5]))

if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()
    Command().run_from_argv(["jiceng", "classify", *sys.argv[1:]])
