package io.asyncsql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.namedparam.EmptySqlParameterSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.jdbc.core.namedparam.SimplePropertySqlParameterSource;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.Assert;

/**
 * The parameters of one {@link AsyncJdbcClient} statement: recorded on the caller's
 * thread, frozen and checked against the SQL there when a terminal is called, and applied
 * to Spring's {@link JdbcClient} statement on an engine thread.
 * <p>
 * Named and positional parameters exclude each other, as in {@code JdbcClient}, but the
 * mix is refused by the call that makes it rather than when the statement runs.
 */
final class StatementParameters {

	private final List<@Nullable Object> indexed = new ArrayList<>();

	private final Map<String, @Nullable Object> named = new LinkedHashMap<>();

	private @Nullable SqlParameterSource source;

	void add(@Nullable Object value) {
		Assert.state(this.named.isEmpty() && this.source == null,
				"Configure either named or positional parameters, not both: named parameters were given, "
						+ "so use param(String, Object) for this one too");
		Assert.isTrue(!(value instanceof Iterable), () -> "Invalid positional parameter value of type "
				+ value.getClass().getSimpleName() + ": only named parameters expand an Iterable");
		this.indexed.add(value);
	}

	void add(String name, @Nullable Object value) {
		Assert.hasText(name, "'name' must not be null or empty");
		checkNamedAllowed();
		Assert.state(this.source == null,
				"Configure either individual named parameters or a parameter source, not both");
		this.named.put(name, value);
	}

	void addAll(Map<String, ?> values) {
		Assert.notNull(values, "'paramMap' must not be null");
		values.forEach(this::add);
	}

	@SuppressWarnings("unchecked")
	void source(Object namedParamObject) {
		Assert.notNull(namedParamObject, "'namedParamObject' must not be null");
		SqlParameterSource source = (namedParamObject instanceof SqlParameterSource given) ? given
				: (namedParamObject instanceof Map<?, ?> map) ? new MapSqlParameterSource((Map<String, ?>) map)
						: new SimplePropertySqlParameterSource(namedParamObject);
		checkNamedAllowed();
		Assert.state(this.named.isEmpty() && this.source == null,
				"Configure either individual named parameters or one parameter source, not both");
		this.source = source;
	}

	private void checkNamedAllowed() {
		Assert.state(this.indexed.isEmpty(),
				"Configure either named or positional parameters, not both: positional parameters were given, "
						+ "so use param(Object) for this one too");
	}

	/**
	 * Freeze the parameters given so far and check them against the SQL.
	 * @param sql the SQL
	 * @param parsedSql the SQL as Spring's named-parameter support reads it
	 * @return the parameters to apply on an engine thread
	 * @throws IllegalArgumentException when the values do not fit the SQL's placeholders
	 * or a named parameter has no value
	 */
	Bound bind(String sql, ParsedSql parsedSql) {
		List<SqlParameter> placeholders = NamedParameterUtils.buildSqlParameterList(parsedSql,
				EmptySqlParameterSource.INSTANCE);
		Set<String> names = new LinkedHashSet<>();
		for (SqlParameter placeholder : placeholders) {
			names.add(placeholder.getName());
		}
		if (this.source != null || !this.named.isEmpty()) {
			SqlParameterSource values = (this.source != null) ? this.source : new MapSqlParameterSource(this.named);
			int positional = NamedParameterUtils.buildSqlTypeArray(parsedSql, EmptySqlParameterSource.INSTANCE).length
					- placeholders.size();
			if (positional > 0) {
				throw new IllegalArgumentException("SQL has " + positional
						+ " '?' placeholder(s) but named parameters were given; use :name placeholders only: " + sql);
			}
			for (String name : names) {
				if (!values.hasValue(name)) {
					throw missingValue(name, values, sql);
				}
			}
			return new Bound(null, values);
		}
		@Nullable Object[] args = this.indexed.toArray();
		if (!names.isEmpty()) {
			if (args.length == 0) {
				throw missingValue(names.iterator().next(), EmptySqlParameterSource.INSTANCE, sql);
			}
			int expected = SqlArguments.countPlaceholders(sql);
			if (expected != args.length) {
				throw new IllegalArgumentException("SQL has named parameter(s) " + names
						+ " but positional parameters were given; use param(String, Object): " + sql);
			}
		}
		SqlArguments.check(sql, args);
		return new Bound(args, null);
	}

	private static IllegalArgumentException missingValue(String name, SqlParameterSource values, String sql) {
		String[] given = values.getParameterNames();
		String known = (given != null && given.length > 0) ? " (values were given for " + Arrays.toString(given) + ")"
				: "";
		return new IllegalArgumentException("No value supplied for the SQL parameter '" + name + "'" + known
				+ "; add it with param(\"" + name + "\", value): " + sql);
	}

	/**
	 * Frozen parameters: positional values or a source of named ones.
	 */
	static final class Bound {

		private final @Nullable Object @Nullable [] indexed;

		private final @Nullable SqlParameterSource named;

		private Bound(@Nullable Object @Nullable [] indexed, @Nullable SqlParameterSource named) {
			this.indexed = indexed;
			this.named = named;
		}

		/**
		 * Return the SQL with named parameters replaced by {@code ?} placeholders.
		 */
		String positionalSql(String sql, ParsedSql parsedSql) {
			return (this.named != null) ? NamedParameterUtils.substituteNamedParameters(parsedSql, this.named) : sql;
		}

		/**
		 * Return the values in the order of {@link #positionalSql}'s placeholders.
		 */
		@Nullable Object[] positionalArgs(ParsedSql parsedSql) {
			if (this.named == null) {
				return (this.indexed != null) ? this.indexed : new Object[0];
			}
			// substituteNamedParameters wrote one '?' per element of an Iterable value
			// (and per member of an Object[] element, for tuples): bind them the same
			// way.
			List<@Nullable Object> flat = new ArrayList<>();
			for (Object value : NamedParameterUtils.buildValueArray(parsedSql, this.named, null)) {
				if (value instanceof Iterable<?> elements) {
					for (Object element : elements) {
						if (element instanceof Object[] tuple) {
							flat.addAll(Arrays.asList(tuple));
						}
						else {
							flat.add(element);
						}
					}
				}
				else {
					flat.add(value);
				}
			}
			return flat.toArray();
		}

		/**
		 * Return the positional values, or {@code null} for named ones.
		 */
		@Nullable Object @Nullable [] indexed() {
			return this.indexed;
		}

		/**
		 * Return the named values, or {@code null} for positional ones.
		 */
		@Nullable SqlParameterSource named() {
			return this.named;
		}

		JdbcClient.StatementSpec applyTo(JdbcClient.StatementSpec spec) {
			if (this.named != null) {
				return spec.paramSource(this.named);
			}
			return (this.indexed != null) ? spec.params(this.indexed) : spec;
		}

	}

}
