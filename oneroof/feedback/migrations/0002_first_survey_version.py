from django.db import migrations


def create_first_version(apps, schema_editor):
    SurveyVersion = apps.get_model("feedback", "SurveyVersion")
    if SurveyVersion.objects.exists():
        return
    SurveyVersion.objects.create(
        number=1,
        is_active=True,
        q_overall="How satisfied are you with the service overall?",
        q_overall_ar="ما مدى رضاك عن الخدمة بشكل عام؟",
        q_overall_en="How satisfied are you with the service overall?",
        q_waiting="How do you rate the waiting time?",
        q_waiting_ar="كيف تقيّم مدة الانتظار؟",
        q_waiting_en="How do you rate the waiting time?",
        q_courtesy="How courteous was the employee who served you?",
        q_courtesy_ar="ما مدى لباقة الموظف الذي خدمك؟",
        q_courtesy_en="How courteous was the employee who served you?",
        q_one_visit="Did you finish what you came for in this one visit?",
        q_one_visit_ar="هل أنجزت معاملتك في هذه الزيارة وحدها؟",
        q_one_visit_en="Did you finish what you came for in this one visit?",
    )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_surveys")]

    operations = [migrations.RunPython(create_first_version, migrations.RunPython.noop)]
