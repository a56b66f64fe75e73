package io.asyncsql;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.ConcurrentLruCache;

/**
 * Argument checks made on the caller's thread, before any work is queued.
 */
final class SqlArguments {

	private static final int UNKNOWN = -1;

	/**
	 * Placeholder counts of recent SQL: applications run the same statements over and
	 * over, and reading a long one on every call costs more than looking it up. As many
	 * entries as {@code NamedParameterJdbcTemplate} keeps parsed SQL.
	 */
	private static final ConcurrentLruCache<String, Integer> PLACEHOLDERS = new ConcurrentLruCache<>(256,
			SqlArguments::readPlaceholders);

	private SqlArguments() {
	}

	/**
	 * Check that the SQL has text and that the arguments match its placeholders.
	 * @param sql the SQL
	 * @param args the arguments, or {@code null} for none
	 * @throws IllegalArgumentException when they do not fit
	 */
	static void check(@Nullable String sql, @Nullable Object @Nullable [] args) {
		checkSql(sql);
		int given = (args != null) ? args.length : 0;
		int expected = countPlaceholders(sql);
		if (expected != UNKNOWN && expected != given) {
			throw new IllegalArgumentException(
					"SQL has " + expected + " '?' placeholder(s) but " + given + " argument(s) were given: " + sql);
		}
	}

	static void checkSql(@Nullable String sql) {
		Assert.hasText(sql, "'sql' must not be null or empty");
	}

	/**
	 * Count JDBC {@code ?} placeholders outside literals, quoted identifiers and
	 * comments; {@code ??} is pgjdbc's escape for a literal question mark.
	 * @param sql the SQL
	 * @return the count, or {@link #UNKNOWN} where the SQL cannot be read with certainty
	 * (a backslash in a literal, whose meaning differs between databases)
	 */
	static int countPlaceholders(String sql) {
		return PLACEHOLDERS.get(sql);
	}

	private static int readPlaceholders(String sql) {
		int count = 0;
		int length = sql.length();
		for (int i = 0; i < length; i++) {
			char c = sql.charAt(i);
			if (c == '\'' || c == '"' || c == '`') {
				int end = sql.indexOf(c, i + 1);
				if (end < 0) {
					return UNKNOWN;
				}
				if (c == '\'' && sql.substring(i, end).indexOf('\\') >= 0) {
					return UNKNOWN;
				}
				i = end;
			}
			else if (c == '-' && next(sql, i) == '-') {
				int end = sql.indexOf('\n', i);
				i = (end < 0) ? length : end;
			}
			else if (c == '/' && next(sql, i) == '*') {
				int end = sql.indexOf("*/", i + 2);
				i = (end < 0) ? length : end + 1;
			}
			else if (c == '$' && isDollarQuoteStart(sql, i)) {
				int tagEnd = sql.indexOf('$', i + 1);
				String tag = sql.substring(i, tagEnd + 1);
				int end = sql.indexOf(tag, tagEnd + 1);
				if (end < 0) {
					return UNKNOWN;
				}
				i = end + tag.length() - 1;
			}
			else if (c == '?') {
				if (next(sql, i) == '?') {
					i++;
				}
				else {
					count++;
				}
			}
		}
		return count;
	}

	private static char next(String sql, int i) {
		return (i + 1 < sql.length()) ? sql.charAt(i + 1) : 0;
	}

	private static boolean isDollarQuoteStart(String sql, int i) {
		if (i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_')) {
			return false;
		}
		int j = i + 1;
		while (j < sql.length() && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) {
			j++;
		}
		return j < sql.length() && sql.charAt(j) == '$';
	}

}
