package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link AsyncEngine#close()} while thousands of operations are queued or running on a
 * database server, some of them long: every future completes, running statements are
 * cancelled at the server and every connection goes back to the pool. Runs on each server
 * database.
 */
@EachServerDatabase
class AsyncEngineShutdownUnderLoadTests {

	private static final int POOL_SIZE = 10;

	private static final int OPERATIONS = 5000;

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TestDatabase database;

	private final String marker = "asyncsql-shutdown-" + UUID.randomUUID().toString().substring(0, 8);

	private EngineFixture fixture;

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	AsyncEngineShutdownUnderLoadTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void startEngine() {
		this.database.assumeAvailable();
		this.fixture = EngineFixture.start(this.database, "shutdown", POOL_SIZE,
				(engine) -> engine.shutdownTimeout(Duration.ofMillis(500)));
		this.dataSource = this.fixture.pool();
		this.engine = this.fixture.engine();
	}

	@AfterEach
	void stopEngine() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void closeUnderLoadCompletesEveryFutureAndCancelsStatementsAtTheServer() throws SQLException {
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);
		AsyncConnection lane = Futures.result(template.connect());
		List<CompletableFuture<?>> futures = new ArrayList<>();
		futures.add(lane.begin());
		futures.add(lane.queryForList(this.database.sleepSql(60, this.marker)));
		for (int i = 0; i < OPERATIONS; i++) {
			String sql = (i % 500 == 0) ? this.database.sleepSql(60, this.marker) : "select 1";
			futures.add(template.queryForList(sql));
		}
		try (Connection admin = this.database.connect()) {
			await().atMost(WAIT).until(() -> this.database.runningStatements(admin, this.marker) >= 2);

			long start = System.nanoTime();
			this.engine.close();
			long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

			assertThat(closeMillis).as("close() time in ms").isLessThan(15_000);
			assertThat(futures).as("futures left incomplete by close()").allMatch(CompletableFuture::isDone);
			int values = 0;
			int closed = 0;
			int cancelled = 0;
			for (CompletableFuture<?> future : futures) {
				Throwable failure = Futures.failure(future);
				if (failure == null) {
					values++;
				}
				else if (failure instanceof CancellationException) {
					cancelled++;
				}
				else {
					assertThat(failure).isInstanceOf(EngineClosedException.class);
					closed++;
				}
			}
			assertThat(values + closed + cancelled).isEqualTo(futures.size());
			assertThat(cancelled).as("long statements cancelled").isPositive();
			assertThat(closed).as("operations that never started").isPositive();
			await().atMost(WAIT).untilAsserted(() -> {
				assertThat(this.database.runningStatements(admin, this.marker)).as("statements still running").isZero();
				assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections in use")
					.isZero();
			});
		}
		assertThat(lane.isClosed()).isTrue();
		assertThat(template.queryForObject("select 1", Integer.class)).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(EngineClosedException.class);
		int submitted = 1 + futures.size() + 1;
		await().atMost(WAIT).untilAsserted(() -> {
			EngineStats stats = this.engine.stats();
			assertThat(stats.active()).isZero();
			assertThat(stats.queued()).isZero();
			assertThat(stats.completed() + stats.failed() + stats.cancelled() + stats.rejected())
				.as("outcomes of %s (connect, lane and template operations, one after close)", stats)
				.isEqualTo(submitted);
		});
	}

}
