import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteField, UserError } from '@farzi/core';
import { literal } from './source';

/**
 * `data.options.where` is one boolean expression over the file's columns and nothing else. It is
 * parsed by DuckDB's own parser (`json_serialize_sql`), its syntax tree checked node by node —
 * columns of the file, constants, operators, casts, CASE and scalar functions; no subquery, table
 * function, window, aggregate, parameter, lambda or second statement — and the SQL that runs is
 * DuckDB's re-rendering of the checked tree (`json_deserialize_sql`), never the text as given, so a
 * comment or a quote cannot change what the checked tree means once pasted into a query.
 */
const PREFIX = 'SELECT 1 WHERE ';

/** Expression classes the check lets through (DuckDB's `ExpressionClass` names). */
const ALLOWED_CLASSES = new Set([
  'COLUMN_REF',
  'CONSTANT',
  'COMPARISON',
  'CONJUNCTION',
  'OPERATOR',
  'FUNCTION',
  'CASE',
  'CAST',
  'BETWEEN',
  'COLLATE',
]);

const CLASS_NAMES: Record<string, string> = {
  SUBQUERY: 'a subquery',
  WINDOW: 'a window function',
  PARAMETER: 'a prepared-statement parameter',
  LAMBDA: 'a lambda',
  STAR: 'a star expression',
  DEFAULT: 'DEFAULT',
};

/**
 * Scalar functions that are not about the record's values: they raise errors with text of their
 * choosing, read settings or the query, or stall the process.
 */
const REFUSED_FUNCTIONS = new Set([
  'error',
  'current_setting',
  'current_query',
  'current_query_id',
  'sleep_ms',
  'getenv',
  'getvariable',
  'current_schema',
  'current_schemas',
  'current_database',
  'current_catalog',
  'version',
]);

type Node = Record<string, unknown>;

/** Checks `where` against the file's columns; returns the SQL to run (DuckDB's rendering of it). */
export async function checkWhere(
  db: DuckDBConnection,
  where: string,
  columns: readonly string[],
  file: string,
): Promise<string> {
  const statement = PREFIX + where;
  const refuse = (what: string, at?: number): never => {
    const part =
      at !== undefined && at > PREFIX.length && at < statement.length
        ? ` at ${quoteField(statement.slice(at))}`
        : '';
    throw new UserError(
      `data.options.where (${quoteField(where)}): ${what}${part}; expected one boolean expression over the columns of ${file} ` +
        `(${columns.join(', ')}), e.g. "rating >= 4 AND country = 'DE'".`,
    );
  };
  const parsed = await db.runAndReadAll(`SELECT json_serialize_sql(${literal(statement)})`);
  const tree = JSON.parse(String(parsed.getRows()[0][0])) as {
    error: boolean;
    error_message?: string;
    statements?: { node: Node }[];
  };
  if (tree.error) {
    const message = firstLine(tree.error_message ?? 'parse error');
    refuse(
      /Only SELECT statements/i.test(message)
        ? 'more than one statement (a ";" ends the expression)'
        : `not valid SQL (${message})`,
    );
  }
  const statements = tree.statements ?? [];
  if (statements.length !== 1) refuse('more than one statement (a ";" ends the expression)');
  const node = statements[0].node;
  const clean =
    node.type === 'SELECT_NODE' &&
    empty(node.modifiers) &&
    empty((node.cte_map as Node | undefined)?.map) &&
    (node.from_table as Node | undefined)?.type === 'EMPTY' &&
    Array.isArray(node.select_list) &&
    node.select_list.length === 1 &&
    empty(node.group_expressions) &&
    empty(node.group_sets) &&
    node.having == null &&
    node.qualify == null &&
    node.sample == null &&
    node.where_clause != null;
  if (!clean)
    refuse('more than an expression (a clause such as ORDER BY, GROUP BY, UNION or LIMIT)');
  const known = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const scalar = await scalarFunctions(db);
  walk(node.where_clause as Node, (expression) => {
    const at = Number(expression.query_location);
    const kind = String(expression.class);
    if (!ALLOWED_CLASSES.has(kind))
      refuse(`${CLASS_NAMES[kind] ?? kind.toLowerCase()} is not allowed`, at);
    if (kind === 'COLUMN_REF') {
      const names = expression.column_names as string[];
      if (names.length !== 1 || !known.has(names[0].toLowerCase()))
        refuse(`no column ${quoteField(names.join('.'))} in the file`, at);
    }
    if (kind === 'FUNCTION') {
      const name = String(expression.function_name).toLowerCase();
      if (expression.schema && expression.schema !== 'main')
        refuse(`function ${quoteField(`${String(expression.schema)}.${name}`)} is not allowed`, at);
      if (REFUSED_FUNCTIONS.has(name) || !scalar.has(name))
        refuse(
          `function ${name}() is not allowed (scalar functions of the record's values only)`,
          at,
        );
      if (expression.filter != null || expression.distinct === true)
        refuse(`an aggregate (${name}) is not allowed`, at);
      if (!empty((expression.order_bys as Node | undefined)?.orders))
        refuse(`an aggregate's ORDER BY is not allowed`, at);
    }
  });
  const rendered = await db.runAndReadAll(
    `SELECT json_deserialize_sql(json_serialize_sql(${literal(statement)}))`,
  );
  const sql = String(rendered.getRows()[0][0]);
  if (!sql.startsWith(PREFIX)) refuse('not a plain expression');
  return sql.slice(PREFIX.length);
}

/** Every expression node under `root` (objects with a `class`), depth first. */
function walk(root: Node, visit: (expression: Node) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (value && typeof value === 'object') {
      const node = value as Node;
      if (typeof node.class === 'string') visit(node);
      // Constants' values and types are data, not expressions.
      for (const [key, child] of Object.entries(node))
        if (key !== 'value' && key !== 'cast_type') stack.push(child);
    }
  }
}

function empty(value: unknown): boolean {
  return value == null || (Array.isArray(value) && value.length === 0);
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200);
}

/** DuckDB's scalar functions (not macros, aggregates or table functions). */
async function scalarFunctions(db: DuckDBConnection): Promise<Set<string>> {
  const rows = await db.runAndReadAll(
    "SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'scalar'",
  );
  return new Set(rows.getRows().map((r) => String(r[0])));
}
