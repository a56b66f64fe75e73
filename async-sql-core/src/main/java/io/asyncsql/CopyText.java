package io.asyncsql;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Encodes rows in the text format of PostgreSQL's {@code COPY}: columns separated by
 * tabs, rows ended by a newline, {@code \N} for {@code NULL}, and backslash escapes for
 * backslashes, tabs, newlines and carriage returns inside values.
 * <p>
 * Values become the text PostgreSQL's input functions read, matching what pgjdbc would
 * bind: booleans {@code t}/{@code f}, {@code byte[]} the hex form of {@code bytea},
 * {@link BigDecimal} without exponent, {@link Timestamp} and {@link java.sql.Date} in the
 * JVM's time zone (as {@code setTimestamp} sends them), {@code java.time} values in ISO
 * form; anything else its {@code toString()}. Arrays, collections and maps have no one
 * text form and are refused: load them with JDBC batches
 * ({@link BulkLoad#useCopy(boolean) useCopy(false)}).
 */
final class CopyText {

	private static final HexFormat HEX = HexFormat.of();

	private CopyText() {
	}

	static void appendRow(StringBuilder out, @Nullable Object[] values) {
		for (int i = 0; i < values.length; i++) {
			if (i > 0) {
				out.append('\t');
			}
			appendValue(out, values[i]);
		}
		out.append('\n');
	}

	static void appendValue(StringBuilder out, @Nullable Object value) {
		if (value == null) {
			out.append("\\N");
		}
		else if (value instanceof Boolean bool) {
			out.append(bool ? 't' : 'f');
		}
		else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
			out.append(value);
		}
		else if (value instanceof BigDecimal decimal) {
			out.append(decimal.toPlainString());
		}
		else if (value instanceof byte[] bytes) {
			// bytea's hex form \x..., its backslash escaped for COPY.
			out.append("\\\\x").append(HEX.formatHex(bytes));
		}
		else if (value instanceof Date date && !(value instanceof Timestamp) && !(value instanceof java.sql.Date)
				&& !(value instanceof java.sql.Time)) {
			appendEscaped(out, new Timestamp(date.getTime()).toString());
		}
		else if (value instanceof Object[] || value.getClass().isArray() || value instanceof Collection<?>
				|| value instanceof Map<?, ?>) {
			throw new IllegalArgumentException("COPY has no text form for a " + value.getClass().getName()
					+ " value; load such columns with JDBC batches: BulkLoad.useCopy(false)");
		}
		else if (value instanceof Enum<?> constant) {
			appendEscaped(out, constant.name());
		}
		else if (value instanceof TemporalAccessor || value instanceof Date) {
			// ISO forms (with 'T' and an offset where there is one), which PostgreSQL
			// reads; java.sql types' toString() is their JDBC escape form, also read.
			out.append(value);
		}
		else {
			appendEscaped(out, value.toString());
		}
	}

	private static void appendEscaped(StringBuilder out, String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '\\' -> out.append("\\\\");
				case '\t' -> out.append("\\t");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				default -> out.append(c);
			}
		}
	}

}
