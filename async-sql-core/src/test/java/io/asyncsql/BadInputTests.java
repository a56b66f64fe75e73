package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.IllegalTransactionStateException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A catalogue of misuse across the core entry points: argument mistakes throw
 * {@link IllegalArgumentException} on the caller's thread before anything is queued;
 * everything found out on the database fails the future; misuse never stops the engine
 * from serving.
 */
class BadInputTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final RowMapper<Integer> FIRST_COLUMN = (rs, row) -> rs.getInt(1);

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	@BeforeEach
	void startEngine() {
		this.dataSource = TestDatabase.H2.pool("bad-input", 2);
		this.engine = AsyncEngine.builder(this.dataSource).name("bad-input").build();
		this.template = new AsyncJdbcTemplate(this.engine);
		await(this.template.execute("create table person (id integer primary key, name varchar(100))"));
	}

	@AfterEach
	void stopEngine() {
		this.engine.close();
		this.dataSource.close();
	}

	@Test
	void missingOrEmptySqlIsRejectedOnTheCallersThread() {
		AsyncConnection connection = await(this.template.connect());
		try {
			for (AsyncJdbcOperations operations : List.of(this.template, connection)) {
				for (String sql : new String[] { null, "", "  " }) {
					assertRejected(() -> operations.update(sql));
					assertRejected(() -> operations.updateAndReturnKey(sql));
					assertRejected(() -> operations.batchUpdate(sql, List.<Object[]>of()));
					assertRejected(() -> operations.query(sql, FIRST_COLUMN));
					assertRejected(() -> operations.queryForObject(sql, Integer.class));
					assertRejected(() -> operations.queryForObject(sql, FIRST_COLUMN));
					assertRejected(() -> operations.queryForList(sql));
					assertRejected(() -> operations.execute(sql));
					assertRejected(() -> operations.hasTable(sql));
				}
			}
			assertServes(connection);
		}
		finally {
			await(connection.close());
		}
		assertServes(this.template);
		assertThat(this.engine.stats().rejected()).as("nothing reached the engine").isZero();
	}

	@Test
	void missingCallbacksAndMappersAreRejectedOnTheCallersThread() {
		assertRejected(() -> this.engine.execute(null));
		assertRejected(() -> this.template.execute((ConnectionCallback<Object>) null));
		assertRejected(() -> this.template.query("select 1", (RowMapper<Object>) null));
		assertRejected(() -> this.template.queryForObject("select 1", (Class<Object>) null));
		assertRejected(() -> this.template.queryForObject("select 1", (RowMapper<Object>) null));
		assertRejected(() -> this.template.batchUpdate("insert into person values (?, ?)", null));
		assertRejected(() -> this.template.inTransaction(null));
		assertRejected(() -> this.template.withTimeout(null));
		assertRejected(() -> this.template.withTimeout(Duration.ZERO));
		assertRejected(() -> this.template.withTimeout(Duration.ofSeconds(-1)));
		assertServes(this.template);
	}

	@Test
	void wrongArgumentCountsAreRejectedOnTheCallersThread() {
		String insert = "insert into person (id, name) values (?, ?)";
		assertRejected(() -> this.template.update(insert, 1));
		assertRejected(() -> this.template.update(insert, 1, "ada", "extra"));
		assertRejected(() -> this.template.update(insert));
		assertRejected(() -> this.template.updateAndReturnKey(insert, 1));
		assertRejected(() -> this.template.batchUpdate(insert, List.of(new Object[] { 1, "ada" }, new Object[] { 2 })));
		assertRejected(() -> this.template.query("select name from person where id = ?", FIRST_COLUMN));
		assertRejected(() -> this.template.queryForObject("select 1", Integer.class, 1));
		assertRejected(() -> this.template.queryForList("select name from person where id = ? and name = ?", 1));
		assertThat(this.template.queryForObject("select count(*) from person", Integer.class)).succeedsWithin(WAIT)
			.isEqualTo(0);
	}

	@Test
	void argumentCountTheEngineCannotReadIsLeftToTheDatabase() {
		// A backslash in a literal means different things to different databases.
		assertThat(this.template.queryForList("select '\\', ? from person")).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class);
		assertServes(this.template);
	}

	@Test
	void argumentOfUnknownTypeFailsTheFutureAndEngineKeepsServing() {
		assertThat(this.template.update("insert into person (id, name) values (?, ?)", 1, new Object()))
			.failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class);
		AsyncConnection connection = await(this.template.connect());
		assertThat(connection.queryForList("select * from person where name = ?", new Object())).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class);
		assertServes(connection);
		await(connection.close());
		assertServes(this.template);
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void useOfClosedEngineFailsWithEngineClosed() {
		this.engine.close();

		assertThat(this.engine.isClosed()).isTrue();
		assertFailsWith(this.engine.execute((connection) -> 1), EngineClosedException.class);
		assertFailsWith(this.engine.connect(), EngineClosedException.class);
		assertFailsWith(this.template.update("delete from person"), EngineClosedException.class);
		assertFailsWith(this.template.inTransaction((operations) -> operations.update("delete from person")),
				EngineClosedException.class);
		assertFailsWith(this.template.withTimeout(Duration.ofSeconds(1)).queryForObject("select 1", Integer.class),
				EngineClosedException.class);
		this.engine.close();
		EngineStats stats = this.engine.stats();
		assertThat(stats.rejected()).isEqualTo(5);
		// And the table made before: every operation offered is counted once.
		assertThat(stats.submitted()).isEqualTo(6).isEqualTo(stats.completed() + stats.rejected());
	}

	@Test
	void useOfClosedConnectionFailsWithEngineClosed() {
		AsyncConnection connection = await(this.template.connect());
		CompletableFuture<Void> closing = connection.close();

		assertThat(connection.isClosed()).isTrue();
		assertFailsWith(connection.update("delete from person"), EngineClosedException.class);
		assertFailsWith(connection.begin(), EngineClosedException.class);
		assertFailsWith(connection.inTransaction((operations) -> operations.update("delete from person")),
				EngineClosedException.class);
		assertThat(closing).succeedsWithin(WAIT);
		assertThat(connection.close()).as("closing again").succeedsWithin(WAIT);
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
		// Offered and refused: every operation is counted once, however it ends.
		EngineStats stats = this.engine.stats();
		assertThat(stats.rejected()).isEqualTo(3);
		assertThat(stats.completed() + stats.failed() + stats.rejected() + stats.cancelled())
			.isEqualTo(stats.submitted());
		assertServes(this.template);
	}

	@Test
	void transactionMisuseFailsWithIllegalTransactionState() {
		AsyncConnection connection = await(this.template.connect());
		try {
			assertFailsWith(connection.beginNested(), IllegalTransactionStateException.class);
			AsyncTransaction outer = await(connection.begin());
			assertFailsWith(connection.begin(), IllegalTransactionStateException.class);
			AsyncTransaction nested = await(connection.beginNested());
			assertFailsWith(outer.commit(), IllegalTransactionStateException.class);
			await(nested.commit());
			assertFailsWith(nested.rollback(), IllegalTransactionStateException.class);
			await(outer.commit());
			assertFailsWith(outer.commit(), IllegalTransactionStateException.class);
			assertFailsWith(outer.rollback(), IllegalTransactionStateException.class);
			assertServes(connection);
		}
		finally {
			await(connection.close());
		}
	}

	@Test
	void transactionWorkThatThrowsOrReturnsNullRollsBack() {
		// The work runs on an engine thread: it must not block on its own operations.
		assertFailsWith(this.template.inTransaction((operations) -> {
			operations.update("insert into person (id, name) values (?, ?)", 1, "ada");
			throw new IllegalStateException("boom");
		}), IllegalStateException.class);
		assertFailsWith(this.template.inTransaction((operations) -> {
			operations.update("insert into person (id, name) values (?, ?)", 2, "grace");
			return null;
		}), IllegalStateException.class);
		assertThat(this.template.queryForObject("select count(*) from person", Integer.class)).succeedsWithin(WAIT)
			.isEqualTo(0);
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void invalidConstructionIsRejected() {
		DataSource other = new DriverManagerDataSource("jdbc:h2:mem:other");
		assertRejected(() -> new AsyncJdbcTemplate(null));
		assertRejected(() -> new AsyncJdbcTemplate(this.engine, null));
		assertRejected(() -> new AsyncJdbcTemplate(null, new JdbcTemplate(this.dataSource)));
		assertRejected(() -> new AsyncJdbcTemplate(this.engine, new JdbcTemplate(other)));
		assertRejected(() -> AsyncEngine.builder(null));
		AsyncEngineBuilder builder = AsyncEngine.builder(this.dataSource);
		assertRejected(() -> builder.name(""));
		assertRejected(() -> builder.maxConcurrency(0));
		assertRejected(() -> builder.queueCapacity(0));
		assertRejected(() -> builder.queueTimeout(Duration.ZERO));
		assertRejected(() -> builder.queueTimeout(null));
		assertRejected(() -> builder.shutdownTimeout(Duration.ofSeconds(-1)));
		assertRejected(() -> builder.threadMode(null));
	}

	@Test
	void badSqlFailsTheFutureWithBadSqlGrammarExceptionOnEveryPath() {
		assertFailsWith(this.template.update("update no_such_table set x = 1"), BadSqlGrammarException.class);
		assertFailsWith(this.template.queryForList("selec 1"), BadSqlGrammarException.class);
		assertFailsWith(this.engine.execute((con) -> con.createStatement().executeQuery("select from")),
				BadSqlGrammarException.class);
		assertServes(this.template);
	}

	@Test
	void exceptionOfACallbackArrivesUnchanged() {
		IllegalStateException boom = new IllegalStateException("boom");
		assertThat(this.engine.execute((con) -> {
			throw boom;
		})).failsWithin(WAIT).withThrowableThat().havingCause().isSameAs(boom);
	}

	@Test
	void nullArgumentsAreBoundAsSqlNull() {
		await(this.template.update("insert into person values (?, ?)", 1, null));
		assertThat(this.template.queryForObject("select count(*) from person where name is null", Integer.class))
			.succeedsWithin(WAIT)
			.isEqualTo(1);
	}

	private static void assertRejected(Executable call) {
		assertThatIllegalArgumentException().isThrownBy(call::execute);
	}

	private static void assertFailsWith(CompletableFuture<?> future, Class<? extends Throwable> type) {
		assertThat(future).failsWithin(WAIT).withThrowableOfType(ExecutionException.class).withCauseInstanceOf(type);
	}

	private static void assertServes(AsyncJdbcOperations operations) {
		List<CompletableFuture<Integer>> checks = new ArrayList<>();
		checks.add(operations.queryForObject("select count(*) from person", Integer.class));
		checks.add(operations.queryForObject("select ?", Integer.class, 1));
		assertThat(checks).allSatisfy((check) -> assertThat(check).succeedsWithin(WAIT));
	}

	private static <T> T await(CompletableFuture<T> future) {
		return future.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
	}

}
