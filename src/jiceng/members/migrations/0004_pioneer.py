"""The pioneer index weights (先锋指数), with the shipped defaults."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


# The shipped pioneer index weights (seed 004); administrators change them as data.
DEFAULT_WEIGHTS = [
    # component, points per unit
    ("organizational_life", "2"),
    ("activity", "1"),
    ("volunteer_hours", "1"),
    ("project_claimed", "3"),
    ("project_completed", "5"),
    ("lecture_rating", "1"),
]


def load(apps, schema_editor):
    """Create the weights that are missing; weights an administrator already changed are left alone."""
    PioneerWeight = apps.get_model("members", "PioneerWeight")
    for order, (component, points) in enumerate(DEFAULT_WEIGHTS, start=1):
        PioneerWeight.objects.get_or_create(component=component,
                                            defaults={"points": Decimal(points), "order": order})


def unload(apps, schema_editor):
    apps.get_model("members", "PioneerWeight").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_dues_rates_2008'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalPioneerWeight',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('component', models.CharField(choices=[('organizational_life', '参加组织生活'), ('activity', '参加其他活动'), ('volunteer_hours', '志愿服务时长'), ('project_claimed', '认领项目'), ('project_completed', '完成项目'), ('lecture_rating', '授课好评')], db_index=True, max_length=24, verbose_name='指标')),
                ('points', models.DecimalField(decimal_places=2, default=Decimal('1'), help_text='0 表示该指标不计分。', max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000'))], verbose_name='每单位分值')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical 先锋指数权重',
                'verbose_name_plural': 'historical 先锋指数权重',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PioneerWeight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('component', models.CharField(choices=[('organizational_life', '参加组织生活'), ('activity', '参加其他活动'), ('volunteer_hours', '志愿服务时长'), ('project_claimed', '认领项目'), ('project_completed', '完成项目'), ('lecture_rating', '授课好评')], max_length=24, unique=True, verbose_name='指标')),
                ('points', models.DecimalField(decimal_places=2, default=Decimal('1'), help_text='0 表示该指标不计分。', max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000'))], verbose_name='每单位分值')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
            ],
            options={
                'verbose_name': '先锋指数权重',
                'verbose_name_plural': '先锋指数权重',
                'ordering': ['order', 'component'],
                'constraints': [models.CheckConstraint(condition=models.Q(('points__gte', 0)), name='pioneer_weight_not_negative', violation_error_message='分值不能为负数。')],
            },
        ),
        migrations.RunPython(load, unload),
    ]
