package io.asyncsql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What callers of a batch of coalesced updates learn when its COMMIT fails: refused by
 * the server, each update runs again alone and keeps its own outcome; lost with the
 * connection, each caller learns that the outcome is unknown.
 */
class CoalescingCommitTests {

	private HikariDataSource pool;

	private final AtomicBoolean failCommits = new AtomicBoolean();

	private final AtomicBoolean breakCommits = new AtomicBoolean();

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private JdbcTemplate jdbc;

	@BeforeEach
	void start() {
		this.pool = TestDatabase.H2.pool("coalesce-commit", 2);
		this.jdbc = new JdbcTemplate(this.pool);
		this.jdbc.execute("create table item (id integer primary key)");
		InterceptingDataSource dataSource = new InterceptingDataSource(this.pool).before("commit",
				(connection, args) -> {
					if (this.failCommits.get()) {
						throw new SQLException("could not serialize access due to concurrent update", "40001");
					}
					if (this.breakCommits.get()) {
						throw new SQLException("An I/O error occurred while sending to the backend", "08006");
					}
				});
		this.engine = AsyncEngine.builder(dataSource).name("coalesce-commit").maxConcurrency(1).batching(true).build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	@AfterEach
	void stop() {
		await().atMost(Futures.WAIT).untilAsserted(() -> {
			EngineStats stats = this.engine.stats();
			assertThat(stats.active()).isZero();
			assertThat(stats.completed() + stats.failed() + stats.cancelled()).isEqualTo(stats.submitted());
		});
		this.engine.close();
		this.pool.close();
	}

	@Test
	void commitRefusedByTheServerRunsEachUpdateAgainAlone() {
		this.failCommits.set(true);

		List<CompletableFuture<Integer>> futures = gatedInserts(5);

		assertThat(futures).allSatisfy((future) -> assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1));
		assertThat(this.engine.stats().batches()).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("select count(*) from item", Integer.class)).isEqualTo(5);
	}

	@Test
	void commitLostWithTheConnectionFailsEveryCallerWithAnUnknownOutcome() {
		this.breakCommits.set(true);

		List<CompletableFuture<Integer>> futures = gatedInserts(5);

		assertThat(futures).allSatisfy(
				(future) -> assertThat(Futures.failure(future)).isInstanceOf(TransactionOutcomeUnknownException.class)
					.hasMessageContaining("whether this update was applied is unknown"));
		assertThat(this.engine.stats().failed()).isEqualTo(5);
	}

	private List<CompletableFuture<Integer>> gatedInserts(int count) {
		AsyncConnection gate = Futures.result(this.engine.connect());
		List<CompletableFuture<Integer>> futures = new ArrayList<>();
		for (int id = 0; id < count; id++) {
			futures.add(this.template.update("insert into item (id) values (?)", id));
		}
		assertThat(gate.close()).succeedsWithin(Futures.WAIT);
		return futures;
	}

}
