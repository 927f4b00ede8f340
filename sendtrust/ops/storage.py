"""Static files for production: WhiteNoise's compressed, content-hashed storage.

The vendored minified JavaScript (vega, vega-lite, vega-embed) names source maps we do not
ship; Django's manifest storage would refuse to collect them. Only CSS references are
rewritten to hashed names here; JavaScript files are hashed themselves but left unedited.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(p for p in CompressedManifestStaticFilesStorage.patterns if p[0] != "*.js")
