"""Live panel widgets by id. Keep in step with serverless_tutor.content.panels.PANELS.

Each entry is "module:Class", imported only when a lesson that lists the panel opens,
so panels cost nothing at start-up.
"""

from __future__ import annotations

import importlib

from textual.widget import Widget

PANEL_WIDGETS: dict[str, str] = {
    "cost-calculator": "serverless_tutor.tui.widgets.cost_calculator_panel:CostCalculatorPanel",
    "cold-start-lifecycle": "serverless_tutor.tui.widgets.lifecycle_panel:LifecyclePanel",
    "invoke-playground": "serverless_tutor.tui.widgets.invoke_playground_panel:InvokePlaygroundPanel",
    "order-pipeline": "serverless_tutor.tui.widgets.order_pipeline_panel:OrderPipelinePanel",
    "fit-check": "serverless_tutor.tui.widgets.fit_check_panel:FitCheckPanel",
    "patterns-lab": "serverless_tutor.tui.widgets.patterns_lab_panel:PatternsLabPanel",
    "api-console": "serverless_tutor.tui.widgets.api_console_panel:ApiConsolePanel",
    "baas-signup": "serverless_tutor.tui.widgets.baas_signup_panel:BaasSignupPanel",
    "server-vs-serverless": "serverless_tutor.tui.widgets.server_comparison_panel:ServerComparisonPanel",
    "interview-drill": "serverless_tutor.tui.widgets.interview_drill_panel:InterviewDrillPanel",
}


def panel_widget(panel_id: str) -> type[Widget]:
    module_name, class_name = PANEL_WIDGETS[panel_id].split(":")
    return getattr(importlib.import_module(module_name), class_name)
