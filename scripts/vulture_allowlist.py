# Names vulture (the dead-code check in scripts/test) reports but that are used: vulture only reads this file.
# Keep it short: code only tests use belongs in tests/, and dead code is deleted, not listed here.
# ruff: noqa

# -- bot: called by frameworks, by name or through a decorator ----------------------------------------
healthz  # Flask views (bot/web/app.py), registered by @app.get
readyz
metrics
only_without_credentials  # Flask request hooks (bot/web/setup.py)
harden
check_token  # the pages' Flask hooks and views (bot/web/pages.py), registered by decorators
private
navigation
try_it
config_problem  # read by the templates only (bot/web/templates/)
config_source
top_scores
_.load_config  # gunicorn's BaseApplication hook (bot/web/server.py)
create  # gunicorn's entry point bot.wsgi:create()
_.process  # logging.LoggerAdapter hook (bot/logs.py)
resolution_svg  # the time-to-close plot for the status page (bot/resolution/render.py), until the page shows it
_conforms  # type-checking only: the GitHub client implements the ports (bot/github/client.py)
created_at  # fields of GitHub's issue and timeline event, kept with the snapshot (bot/github/port.py)
# urllib3's Retry and PyGithub's Auth, subclassed through their public hooks (bot/github/http.py)
_.is_retry
has_retry_after
_.token_type

# -- classifier: reported, left for its maintainers to use or delete ----------------------------------
read_issues  # classifier/dataset.py
PolicyScorer  # classifier/evaluate.py
missing_information  # classifier/evidence.py
set_state  # classifier/similar.py: the bot stores one row per issue and rebuilds the index from it
to_data
from_data
notes  # classifier/features.py
ptm_recall  # classifier/policy.py
category_coverage
_.as_dict
_.from_dict
_.settled  # classifier/prior.py
ADDED_FIELDS  # classifier/records.py
_.tier  # classifier/schema.py
ask  # classifier/taxonomy.py
child_exit  # bot/web/gunicorn_conf.py (a gunicorn server hook, called by name)
