import { quoteField, UserError } from '@farzi/core';
import { Column, EventLogOptions, FileType, identifier } from './source';

/** A column of the file as DuckDB describes it. */
export interface FileColumn {
  readonly name: string;
  readonly type: string;
}

/** The SQL that turns the file's columns into the event fields. */
export interface EventExpressions {
  user: string;
  item: string;
  rating?: string;
  time?: string;
  /** Source columns (SQL identifiers), to show the text of a bad record. */
  sources: Record<'user' | 'item' | 'rating' | 'time', string | undefined>;
  /** The id columns' names. */
  columns: { user: string; item: string };
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TEMPORAL = /^(DATE|TIMESTAMP.*)$/;

/** Maps `data.options.columns` (indices or names) onto the file's columns and builds the SQL. */
export function eventExpressions(
  path: string,
  type: FileType,
  options: EventLogOptions,
  columns: readonly FileColumn[],
): EventExpressions {
  const listed = columns.map((c) => c.name).join(', ');
  const find = (key: string, spec: Column | undefined): FileColumn | undefined => {
    if (spec === undefined) return undefined;
    if (typeof spec === 'number') {
      if (spec >= columns.length) {
        throw new UserError(
          `data.options.columns.${key}: column ${spec} (0-based), but ${path} has ${columns.length} column(s): ${listed}.`,
        );
      }
      return columns[spec];
    }
    if (type === 'csv' && options.header !== true) {
      throw new UserError(
        `data.options.columns.${key}: "${spec}" is a column name, but data.options.header is not true; ` +
          'give a 0-based column index or set header to true.',
      );
    }
    const found = columns.find((c) => c.name === spec);
    if (!found) {
      throw new UserError(
        `data.options.columns.${key}: no column ${quoteField(spec)} in ${path}; its columns are ${listed}.`,
      );
    }
    return found;
  };
  const user = find('user', options.columns.user) as FileColumn;
  const item = find('item', options.columns.item) as FileColumn;
  const rating = find('rating', options.columns.rating);
  const time = find('time', options.columns.time);
  return {
    user: idExpression(user),
    item: idExpression(item),
    rating: rating && numberExpression(rating, false),
    time: time && numberExpression(time, true),
    sources: {
      user: identifier(user.name),
      item: identifier(item.name),
      rating: rating && identifier(rating.name),
      time: time && identifier(time.name),
    },
    columns: { user: user.name, item: item.name },
  };
}

function idExpression(column: FileColumn): string {
  return `trim(CAST(${identifier(column.name)} AS VARCHAR))`;
}

/**
 * A number from a column: numeric types as they are, dates and timestamps as seconds since the
 * epoch (times only), text parsed as a number (or, for times, as a timestamp).
 */
function numberExpression(column: FileColumn, isTime: boolean): string {
  const name = identifier(column.name);
  if (NUMERIC.test(column.type)) return `CAST(${name} AS DOUBLE)`;
  if (isTime && TEMPORAL.test(column.type)) return `CAST(epoch(${name}) AS DOUBLE)`;
  const text = `trim(CAST(${name} AS VARCHAR))`;
  const asNumber = `TRY_CAST(${text} AS DOUBLE)`;
  return isTime
    ? `coalesce(${asNumber}, CAST(epoch(TRY_CAST(${text} AS TIMESTAMP)) AS DOUBLE))`
    : asNumber;
}
