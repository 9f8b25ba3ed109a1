"""The Streamlit app (`mwo ui`): pages that render and call the same services as the CLI and the API.

`app.py` is the entry point Streamlit runs; one script per page under `views/`; `state` holds the
services of the app, `i18n` its Korean and English words, `components` what several pages draw.
"""
