package io.asyncsql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.IllegalTransactionStateException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Transactions through {@link AsyncJdbcTemplate#inTransaction} and
 * {@link AsyncConnection}, on H2.
 */
class AsyncJdbcTemplateTransactionTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource pool = TestDatabase.H2.pool("transactions", 4);

	/** Set while commits should fail, as when the database refuses one. */
	private final AtomicBoolean failCommits = new AtomicBoolean();

	/** Set while rollbacks should fail. */
	private final AtomicBoolean failRollbacks = new AtomicBoolean();

	private final AtomicInteger rollbacks = new AtomicInteger();

	private final InterceptingDataSource dataSource = new InterceptingDataSource(this.pool)
		.before("commit", (connection, args) -> {
			if (this.failCommits.get()) {
				throw new SQLException("could not serialize access due to concurrent update", "40001");
			}
		})
		.before("rollback", (connection, args) -> {
			this.rollbacks.incrementAndGet();
			if (args == null && this.failRollbacks.get()) {
				throw new SQLException("rollback refused");
			}
		});

	private final AsyncEngine engine = AsyncEngine.builder(this.dataSource).maxConcurrency(4).build();

	private final AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);

	@BeforeEach
	void createTable() {
		new JdbcTemplate(this.pool).execute("create table accounts (id int primary key, balance int not null)");
	}

	@AfterEach
	void close() {
		this.engine.close();
		this.pool.close();
	}

	@Test
	void inTransactionCommitsWhenTheWorkSucceeds() {
		CompletableFuture<Integer> result = this.template
			.inTransaction((tx) -> tx.update("insert into accounts values (?, ?)", 1, 100)
				.thenCompose((inserted) -> tx.update("insert into accounts values (?, ?)", 2, 50))
				.thenCompose((inserted) -> tx.queryForObject("select sum(balance) from accounts", Integer.class)));
		assertThat(result).succeedsWithin(WAIT).isEqualTo(150);
		assertThat(count()).isEqualTo(2);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void inTransactionRollsBackWhenTheWorkFails() {
		CompletableFuture<Integer> result = this.template
			.inTransaction((tx) -> tx.update("insert into accounts values (?, ?)", 1, 100)
				.thenCompose((inserted) -> tx.update("insert into accounts values (?, ?)", 1, 50)));
		assertThat(result).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(DuplicateKeyException.class);
		assertThat(count()).isZero();
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void inTransactionRollsBackWhenTheWorkThrowsBeforeReturningAStage() {
		CompletableFuture<Object> result = this.template.inTransaction((tx) -> {
			tx.update("insert into accounts values (?, ?)", 1, 100);
			throw new IllegalStateException("boom");
		});
		assertThat(result).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessage("boom");
		assertThat(count()).isZero();
	}

	@Test
	void inTransactionRollsBackWhenCommitFails() {
		this.failCommits.set(true);
		CompletableFuture<Integer> result = this.template
			.inTransaction((tx) -> tx.update("insert into accounts values (?, ?)", 1, 100));
		assertThat(result).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(PessimisticLockingFailureException.class);
		assertThat(this.rollbacks).hasPositiveValue();
		this.failCommits.set(false);
		assertThat(count()).isZero();
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void failedRollbackNeverCommitsWhatWasLeftOpen() {
		AsyncConnection connection = this.engine.connect().join();
		AsyncTransaction transaction = connection.begin().join();
		assertThat(connection.update("insert into accounts (id, balance) values (?, ?)", 9, 900)).succeedsWithin(WAIT);
		this.failRollbacks.set(true);
		assertThat(transaction.rollback()).failsWithin(WAIT);
		this.failRollbacks.set(false);
		assertThat(connection.close()).succeedsWithin(WAIT);
		// Turning auto-commit back on would have committed the insert: the connection
		// is discarded instead.
		assertThat(
				new JdbcTemplate(this.pool).queryForObject("select count(*) from accounts where id = 9", Integer.class))
			.isZero();
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void cancellingInTransactionRollsBackAndReleasesTheConnection() {
		CompletableFuture<Void> blocker = new CompletableFuture<>();
		CompletableFuture<Integer> result = this.template
			.inTransaction((tx) -> tx.update("insert into accounts values (?, ?)", 1, 100)
				.thenCompose((inserted) -> blocker)
				.thenCompose((ignored) -> tx.update("insert into accounts values (?, ?)", 2, 100)));
		org.awaitility.Awaitility.await()
			.atMost(WAIT)
			.until(() -> count() == 0 && this.engine.stats().completed() >= 3);
		result.cancel(true);
		blocker.complete(null);
		org.awaitility.Awaitility.await()
			.atMost(WAIT)
			.until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(count()).isZero();
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void savepointRollbackInsideACommittedTransaction() {
		CompletableFuture<List<Integer>> ids = this.engine.connect()
			.thenCompose((connection) -> connection.begin()
				.thenCompose((tx) -> connection.update("insert into accounts values (?, ?)", 1, 100)
					.thenCompose((inserted) -> connection.beginNested())
					.thenCompose((savepoint) -> connection.update("insert into accounts values (?, ?)", 2, 100)
						.thenCompose((inserted) -> savepoint.rollback())
						.thenApply((rolledBack) -> savepoint))
					.thenCompose((savepoint) -> {
						assertThat(savepoint.isActive()).isFalse();
						assertThat(savepoint.isNested()).isTrue();
						return connection.update("insert into accounts values (?, ?)", 3, 100);
					})
					.thenCompose((inserted) -> tx.commit()))
				.thenCompose((committed) -> connection.query("select id from accounts order by id",
						(rs, row) -> rs.getInt(1)))
				.whenComplete((result, failure) -> connection.close()));
		assertThat(ids).succeedsWithin(WAIT).isEqualTo(List.of(1, 3));
	}

	@Test
	void nestedInTransactionRollsBackOnlyItsSavepoint() {
		CompletableFuture<Integer> total = this.template
			.inTransaction((outer) -> outer.update("insert into accounts values (?, ?)", 1, 100)
				.thenCompose((inserted) -> ((AsyncConnection) outer)
					.inTransaction((inner) -> inner.update("insert into accounts values (?, ?)", 2, 100)
						.thenCompose((again) -> inner.update("insert into accounts values (?, ?)", 2, 100)))
					.handle((value, failure) -> failure))
				.thenCompose((failure) -> {
					assertThat(failure).isInstanceOf(DuplicateKeyException.class);
					return outer.queryForObject("select count(*) from accounts", Integer.class);
				}));
		assertThat(total).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(count()).isEqualTo(1);
	}

	@Test
	void closeRollsBackAnOpenTransactionAndRestoresAutoCommit() {
		AsyncConnection connection = Futures.result(this.engine.connect());
		CompletableFuture<Void> closed = connection.begin()
			.thenCompose((tx) -> connection.update("insert into accounts values (?, ?)", 1, 100))
			.thenCompose((inserted) -> connection.close());
		assertThat(closed).succeedsWithin(WAIT);
		assertThat(count()).isZero();
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		CompletableFuture<Boolean> autoCommit = this.engine.execute((con) -> con.getAutoCommit());
		assertThat(autoCommit).succeedsWithin(WAIT).isEqualTo(true);
	}

	@Test
	void useAfterCloseFailsWithEngineClosedException() {
		AsyncConnection connection = Futures.result(this.engine.connect());
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(connection.isClosed()).isTrue();
		assertThat(connection.update("insert into accounts values (?, ?)", 1, 100)).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(EngineClosedException.class)
			.withMessageContaining("is closed");
		assertThat(connection.begin()).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(EngineClosedException.class);
		assertThat(connection.close()).succeedsWithin(WAIT);
	}

	@Test
	void finishingATransactionTwiceFailsWithIllegalTransactionState() {
		AsyncConnection connection = Futures.result(this.engine.connect());
		AsyncTransaction tx = Futures.result(connection.begin());
		assertThat(tx.isActive()).isTrue();
		assertThat(tx.commit()).succeedsWithin(WAIT);
		assertThat(tx.isActive()).isFalse();
		assertThat(tx.commit()).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalTransactionStateException.class)
			.withMessageContaining("already finished");
		assertThat(tx.rollback()).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalTransactionStateException.class);
		assertThat(connection.beginNested()).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalTransactionStateException.class)
			.withMessageContaining("begin()");
		assertThat(connection.begin().thenCompose((again) -> connection.begin())).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalTransactionStateException.class)
			.withMessageContaining("beginNested()");
		assertThat(connection.close()).succeedsWithin(WAIT);
	}

	@Test
	void plainJdbcTemplateJoinsTheTransactionOfTheLane() {
		JdbcTemplate blocking = new JdbcTemplate(this.dataSource);
		CompletableFuture<Integer> result = this.template
			.inTransaction((tx) -> tx.update("insert into accounts values (?, ?)", 1, 100)
				.thenCompose((inserted) -> tx.execute((con) -> blocking.update("insert into accounts values (2, 100)")))
				.thenCompose((inserted) -> tx.execute((con) -> {
					throw new IllegalStateException("undo both");
				})));
		assertThat(result).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class);
		assertThat(count()).isZero();
	}

	@Test
	void plainJdbcTemplateUsesTheConnectionOfEngineExecute() {
		JdbcTemplate blocking = new JdbcTemplate(this.dataSource);
		CompletableFuture<Boolean> sameConnection = this.engine.execute((con) -> {
			String here = blocking.queryForObject("select session_id()", String.class);
			String viaCallback = new JdbcTemplate(
					new org.springframework.jdbc.datasource.SingleConnectionDataSource(con, true))
				.queryForObject("select session_id()", String.class);
			return here.equals(viaCallback);
		});
		assertThat(sameConnection).succeedsWithin(WAIT).isEqualTo(true);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void jdbcTemplateOnAnotherDataSourceIsRefused() {
		try (HikariDataSource other = TestDatabase.H2.pool("transactions-other", 1)) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> new AsyncJdbcTemplate(this.engine, new JdbcTemplate(other)))
				.withMessageContaining("engine's DataSource");
		}
	}

	private int count() {
		return new JdbcTemplate(this.pool).queryForObject("select count(*) from accounts", Integer.class);
	}

}
