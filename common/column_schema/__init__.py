"""The column roles of a monitored model, declared once and read by every entry point.

The merge Lambda, the analysis container and the offline demo all load the same
``schema.json`` (stored next to the baseline, ``{baseline_uri}/schema.json``) through this
package, so a feature's type or the label's name is never written down twice.
"""

from column_schema.schema import ColumnSchema, Feature, SchemaError, load_schema, parse_schema

__all__ = ["ColumnSchema", "Feature", "SchemaError", "load_schema", "parse_schema"]
