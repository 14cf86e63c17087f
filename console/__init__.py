"""The operators' web console: status board, problems, device pages, diagnostics, reports.

DESIGN.md puts console pages in each app's templates/<app>/. We keep them together in this
one `console` app instead because every page reads several apps at once (devices from
monitoring, problems from alerts, maintenance windows) and imports must flow monitoring <-
alerts <- console, never back; the console sits on top and nothing imports it.
"""
