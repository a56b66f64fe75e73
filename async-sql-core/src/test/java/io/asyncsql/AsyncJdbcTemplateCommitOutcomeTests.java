package io.asyncsql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.asyncsql.reactor.ReactiveJdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A transaction's future tells the truth about its COMMIT: a deadline or a cancel that
 * arrives while the COMMIT is under way does not turn a committed transaction into a
 * failure, and a connection that breaks during the COMMIT fails the future with
 * {@link TransactionOutcomeUnknownException}. The COMMIT is held up in a
 * {@link FaultyProxy} between the pool and the server, stalled just before it is sent.
 * Runs on each server database.
 */
@EachServerDatabase
class AsyncJdbcTemplateCommitOutcomeTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	/** The deadline, shorter than the stall, so that it passes during the COMMIT. */
	private static final Duration DEADLINE = Duration.ofMillis(300);

	/** How long the COMMIT is held up. */
	private static final long STALL_MILLIS = 900;

	private final TestDatabase database;

	private FaultyProxy proxy;

	private EngineFixture fixture;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private String table;

	AsyncJdbcTemplateCommitOutcomeTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void startEngine() throws IOException, SQLException {
		this.database.assumeAvailable();
		this.proxy = new FaultyProxy("127.0.0.1", this.database.port());
		this.fixture = EngineFixture.start(this.database, "commit", 2, (config) -> {
			config.setJdbcUrl(this.database.url("127.0.0.1", this.proxy.port()));
			config.setConnectionTimeout(2000);
			config.setValidationTimeout(1000);
		}, UnaryOperator.identity());
		this.engine = this.fixture.engine();
		this.template = this.fixture.template();
		this.table = TestDatabase.uniqueTableName("commit");
		adminExecute("create table " + this.table + " (n int)");
	}

	@AfterEach
	void stopEngine() throws IOException, SQLException {
		if (this.fixture != null) {
			this.proxy.heal();
			this.fixture.close();
			this.proxy.close();
			adminExecute("drop table " + this.table);
		}
	}

	@Test
	void deadlinePassingWhileCommitRunsReportsTheCommit() throws SQLException {
		for (int round = 1; round <= 3; round++) {
			int value = round;
			CompletableFuture<Integer> transfer = this.template.withTimeout(DEADLINE)
				.inTransaction((tx) -> tx.update("insert into " + this.table + " values (?)", value)
					.thenApply(this::stallThenHeal));

			assertThat(transfer).as("round %d", round).succeedsWithin(WAIT).isEqualTo(1);
			assertThat(rows()).isEqualTo(round);
		}
		this.fixture.awaitIdle();
	}

	@Test
	void cancelWhileCommitRunsIsRefusedAndTheFutureReportsTheCommit() throws SQLException {
		AtomicReference<CompletableFuture<Integer>> target = new AtomicReference<>();
		AtomicBoolean cancelled = new AtomicBoolean(true);
		CompletableFuture<Integer> transfer = this.template
			.inTransaction((tx) -> tx.update("insert into " + this.table + " values (1)").thenApply((count) -> {
				CompletableFuture.runAsync(() -> cancelled.set(target.get().cancel(true)), during());
				return stallThenHeal(count);
			}));
		target.set(transfer);

		assertThat(transfer).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(cancelled).as("cancel() during the COMMIT").isFalse();
		assertThat(rows()).isEqualTo(1);
		this.fixture.awaitIdle();
	}

	@Test
	void cancelBeforeCommitRollsBack() throws SQLException {
		CompletableFuture<Void> inserted = new CompletableFuture<>();
		CompletableFuture<Integer> held = new CompletableFuture<>();
		CompletableFuture<Integer> transfer = this.template
			.inTransaction((tx) -> tx.update("insert into " + this.table + " values (1)").thenCompose((count) -> {
				inserted.complete(null);
				return held;
			}));
		assertThat(inserted).succeedsWithin(WAIT);

		assertThat(transfer.cancel(true)).isTrue();
		held.complete(1);

		this.fixture.awaitIdle();
		assertThat(rows()).isZero();
	}

	@Test
	void connectionLostDuringCommitFailsWithUnknownOutcome() throws SQLException {
		CompletableFuture<Integer> transfer = this.template
			.inTransaction((tx) -> tx.update("insert into " + this.table + " values (1)").thenApply((count) -> {
				this.proxy.stall();
				CompletableFuture.runAsync(this.proxy::cut, during());
				return count;
			}));

		assertThat(transfer).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(TransactionOutcomeUnknownException.class);
		this.proxy.heal();
		this.fixture.awaitIdle();
		assertThat(rows()).as("the COMMIT never reached the server").isZero();
	}

	@Test
	void laneCommitPastItsDeadlineAndCancelledWhileRunningReportsTheCommit() throws SQLException {
		AsyncConnection lane = Futures.result(this.template.withTimeout(DEADLINE).connect());
		AsyncTransaction transaction = Futures.result(lane.begin());
		assertThat(lane.update("insert into " + this.table + " values (1)")).succeedsWithin(WAIT);
		this.proxy.stall();
		CompletableFuture<Void> commit = transaction.commit();
		AtomicBoolean cancelled = new AtomicBoolean(true);
		CompletableFuture.runAsync(() -> cancelled.set(commit.cancel(true)), during()).join();
		this.proxy.heal();

		assertThat(commit).succeedsWithin(WAIT);
		assertThat(cancelled).as("cancel() during the COMMIT").isFalse();
		assertThat(lane.close()).succeedsWithin(WAIT);
		assertThat(rows()).isEqualTo(1);
		this.fixture.awaitIdle();
	}

	@Test
	void reactiveTransactionPastItsDeadlineDuringCommitReportsTheCommit() throws SQLException {
		ReactiveJdbcTemplate reactive = new ReactiveJdbcTemplate(this.template.withTimeout(DEADLINE));

		Integer inserted = reactive
			.inTransaction((tx) -> tx.update("insert into " + this.table + " values (1)").map(this::stallThenHeal))
			.blockLast(WAIT);

		assertThat(inserted).isEqualTo(1);
		assertThat(rows()).isEqualTo(1);
		this.fixture.awaitIdle();
	}

	/**
	 * Stall the network, so the COMMIT that follows hangs in the proxy past the deadline,
	 * and heal it later.
	 */
	private <T> T stallThenHeal(T value) {
		this.proxy.stall();
		CompletableFuture.runAsync(this.proxy::heal,
				CompletableFuture.delayedExecutor(STALL_MILLIS, TimeUnit.MILLISECONDS));
		return value;
	}

	/**
	 * Run an action after the COMMIT is under way and the deadline has passed, before the
	 * network heals.
	 */
	private static Executor during() {
		return CompletableFuture.delayedExecutor(STALL_MILLIS / 2, TimeUnit.MILLISECONDS);
	}

	private int rows() throws SQLException {
		try (Connection admin = this.database.connect();
				Statement statement = admin.createStatement();
				ResultSet result = statement.executeQuery("select count(*) from " + this.table)) {
			result.next();
			return result.getInt(1);
		}
	}

	private void adminExecute(String sql) throws SQLException {
		try (Connection admin = this.database.connect(); Statement statement = admin.createStatement()) {
			statement.execute(sql);
		}
	}

}
