"""What a user takes away, one module per job.

- :mod:`dashboard.export.csv`: the formula-safe CSV writer and the fixed download names;
- :mod:`dashboard.export.model_file`: ``.skops`` model files, saved and checked before loading;
- :mod:`dashboard.export.report`: the self-contained HTML report;
- :mod:`dashboard.export.script`: the reproducible script.

Prediction on a new file lives in :mod:`dashboard.prediction`, the CLI's summary in
:mod:`dashboard.summary`.
"""
