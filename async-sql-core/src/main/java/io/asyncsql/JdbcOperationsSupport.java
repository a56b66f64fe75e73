package io.asyncsql;

import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.util.Assert;

/**
 * The {@link AsyncJdbcOperations} methods, each a {@link JdbcTemplate} call run through
 * {@link #submit(ConnectionCallback)}. Subclasses decide where work runs: on any pooled
 * connection ({@link AsyncJdbcTemplate}), or in order on one connection
 * ({@link DefaultAsyncConnection}, {@link TimedLane}).
 * <p>
 * Also the seam through which {@link DefaultAsyncJdbcClient} and the transaction code
 * reach the two without telling them apart: submit work with a deadline, take a view with
 * a deadline or for reads, run a transaction (on a lane of its own, or on the lane) and
 * join it.
 */
abstract class JdbcOperationsSupport implements AsyncJdbcOperations {

	final JdbcTemplate jdbcTemplate;

	JdbcOperationsSupport(JdbcTemplate jdbcTemplate) {
		this.jdbcTemplate = jdbcTemplate;
	}

	/**
	 * Run work with a connection that the {@link JdbcTemplate} finds bound to its data
	 * source.
	 */
	abstract <T> CompletableFuture<T> submit(ConnectionCallback<T> work);

	/**
	 * Create the publisher of a stream whose arguments are checked.
	 */
	abstract <T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args);

	/**
	 * Return whether updates submitted here may be coalesced into batches: not on a
	 * connection of one's own.
	 */
	boolean coalescesUpdates() {
		return false;
	}

	/**
	 * Return operations like these whose every statement has the given budget.
	 */
	abstract JdbcOperationsSupport withTimeout(Duration timeout);

	/**
	 * Return the operations for reads, with at most the given staleness when not
	 * {@code null}; these operations when they have no other view for reads.
	 */
	abstract JdbcOperationsSupport forReads(@Nullable Duration maxStaleness);

	/**
	 * Run work in a transaction and give it the operations that run in it: a new
	 * transaction on a lane of its own, or this lane's (nested when one is active).
	 */
	abstract <T> CompletableFuture<T> transaction(
			Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work);

	/**
	 * Run a transactional body so that the operations it starts join the transaction
	 * these operations run in, or none when they run in none.
	 */
	abstract <T> CompletionStage<T> joining(Supplier<? extends CompletionStage<T>> body);

	@Override
	public CompletableFuture<Integer> update(String sql, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		if (coalescesUpdates()) {
			return submit(SqlWork.statement(sql,
					CoalescibleUpdate.of(this.jdbcTemplate, sql, new ArgumentPreparedStatementSetter(args))));
		}
		return submit(SqlWork.statement(sql, (connection) -> this.jdbcTemplate.update(sql, args)));
	}

	@Override
	public CompletableFuture<Number> updateAndReturnKey(String sql, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		return submit(SqlWork.statement(sql, (connection) -> {
			KeyHolder keys = new GeneratedKeyHolder();
			this.jdbcTemplate.update((con) -> {
				PreparedStatement statement = con.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
				new ArgumentPreparedStatementSetter(args).setValues(statement);
				return statement;
			}, keys);
			return generatedKey(keys);
		}));
	}

	private static Number generatedKey(KeyHolder keys) {
		List<Map<String, Object>> rows = keys.getKeyList();
		if (rows.size() == 1) {
			Map<String, Object> row = rows.get(0);
			Number numeric = null;
			for (Map.Entry<String, Object> column : row.entrySet()) {
				if (column.getValue() instanceof Number number) {
					if (row.size() == 1 || column.getKey().equalsIgnoreCase("id")) {
						return number;
					}
					numeric = (numeric != null) ? numeric : number;
				}
			}
			if (numeric != null) {
				return numeric;
			}
		}
		throw new DataRetrievalFailureException(
				"Expected one generated numeric key but the driver returned " + rows + "; is the column generated?");
	}

	@Override
	public CompletableFuture<int[]> batchUpdate(String sql, List<@Nullable Object[]> batchArgs) {
		SqlArguments.checkSql(sql);
		Assert.notNull(batchArgs, "'batchArgs' must not be null");
		for (Object[] args : batchArgs) {
			SqlArguments.check(sql, args);
		}
		List<Object[]> copy = List.copyOf(batchArgs);
		return submit(
				new SqlWork<>(OperationKind.BATCH, sql, (connection) -> this.jdbcTemplate.batchUpdate(sql, copy)));
	}

	@Override
	public <T> CompletableFuture<List<T>> query(String sql, RowMapper<T> rowMapper, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		Assert.notNull(rowMapper, "'rowMapper' must not be null");
		return submit(SqlWork.statement(sql, (connection) -> this.jdbcTemplate.query(sql, rowMapper, args)));
	}

	@Override
	public <T> Flow.Publisher<T> stream(String sql, RowMapper<T> rowMapper, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		Assert.notNull(rowMapper, "'rowMapper' must not be null");
		return publisher(sql, rowMapper, args);
	}

	@Override
	public <T> CompletableFuture<T> queryForObject(String sql, Class<T> requiredType, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		Assert.notNull(requiredType, "'requiredType' must not be null");
		return submit(
				SqlWork.statement(sql, (connection) -> this.jdbcTemplate.queryForObject(sql, requiredType, args)));
	}

	@Override
	public <T> CompletableFuture<T> queryForObject(String sql, RowMapper<T> rowMapper, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		Assert.notNull(rowMapper, "'rowMapper' must not be null");
		return submit(SqlWork.statement(sql, (connection) -> this.jdbcTemplate.queryForObject(sql, rowMapper, args)));
	}

	@Override
	public CompletableFuture<List<Map<String, Object>>> queryForList(String sql, @Nullable Object... args) {
		SqlArguments.check(sql, args);
		return submit(SqlWork.statement(sql, (connection) -> this.jdbcTemplate.queryForList(sql, args)));
	}

	@Override
	public CompletableFuture<Void> execute(String sql) {
		SqlArguments.checkSql(sql);
		return submit(SqlWork.statement(sql, (connection) -> {
			this.jdbcTemplate.execute(sql);
			return null;
		}));
	}

	@Override
	public <T> CompletableFuture<T> execute(ConnectionCallback<T> action) {
		Assert.notNull(action, "'action' must not be null");
		return submit(SqlWork.statement(null, action));
	}

	@Override
	public CompletableFuture<Boolean> hasTable(String name) {
		Assert.hasText(name, "'name' must not be null or empty");
		return submit(SqlWork.statement(null, (connection) -> {
			DatabaseMetaData metaData = connection.getMetaData();
			String escape = metaData.getSearchStringEscape();
			for (String candidate : identifierCandidates(metaData, name)) {
				String pattern = (escape != null) ? candidate.replace("_", escape + "_").replace("%", escape + "%")
						: candidate;
				try (ResultSet tables = metaData.getTables(connection.getCatalog(), connection.getSchema(), pattern,
						null)) {
					if (tables.next()) {
						return true;
					}
				}
			}
			return false;
		}));
	}

	private static List<String> identifierCandidates(DatabaseMetaData metaData, String name) throws SQLException {
		List<String> candidates = new ArrayList<>(2);
		candidates.add(name);
		String stored = metaData.storesUpperCaseIdentifiers() ? name.toUpperCase(Locale.ROOT)
				: metaData.storesLowerCaseIdentifiers() ? name.toLowerCase(Locale.ROOT) : name;
		if (!stored.equals(name)) {
			candidates.add(stored);
		}
		return candidates;
	}

	@Override
	public CompletableFuture<List<String>> tableNames() {
		return submit(SqlWork.statement(null, (connection) -> {
			List<String> names = new ArrayList<>();
			try (ResultSet tables = connection.getMetaData()
				.getTables(connection.getCatalog(), connection.getSchema(), "%", new String[] { "TABLE" })) {
				while (tables.next()) {
					names.add(tables.getString("TABLE_NAME"));
				}
			}
			Collections.sort(names);
			return names;
		}));
	}

}
