package io.asyncsql;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A coalesced batch on PostgreSQL runs in a transaction that is open at the server before
 * its statements are sent, so that a cancel landing on pgjdbc's lazy {@code BEGIN} can
 * never let the batch commit outside it (see {@link EagerBegin}).
 */
class CoalescedBatchBeginTests {

	@Test
	void postgresqlBatchTransactionIsOpenBeforeItsStatements() {
		TestDatabase database = TestDatabase.POSTGRESQL;
		database.assumeAvailable();
		String table = TestDatabase.uniqueTableName("batch_begin");
		List<String> states = new CopyOnWriteArrayList<>();
		try (HikariDataSource pool = database.pool("batch-begin", 1)) {
			JdbcTemplate jdbc = new JdbcTemplate(pool);
			jdbc.execute("create table " + table + " (id integer primary key)");
			InterceptingDataSource dataSource = new InterceptingDataSource(pool).before("prepareStatement",
					(connection, args) -> {
						if (args != null && args[0] instanceof String sql && sql.startsWith("insert into " + table)
								&& !connection.getAutoCommit()) {
							states.add(connection.unwrap(BaseConnection.class).getTransactionState().name());
						}
					});
			try (AsyncEngine engine = AsyncEngine.builder(dataSource)
				.name("batch-begin")
				.maxConcurrency(1)
				.batching(true)
				.build()) {
				AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
				AsyncConnection gate = Futures.result(engine.connect());
				List<CompletableFuture<Integer>> inserts = new ArrayList<>();
				for (int id = 0; id < 5; id++) {
					inserts.add(template.update("insert into " + table + " (id) values (?)", id));
				}
				assertThat(gate.close()).succeedsWithin(Futures.WAIT);
				assertThat(inserts)
					.allSatisfy((insert) -> assertThat(insert).succeedsWithin(Futures.WAIT).isEqualTo(1));
				assertThat(engine.stats().batches()).isEqualTo(1);
			}
			assertThat(jdbc.queryForObject("select count(*) from " + table, Integer.class)).isEqualTo(5);
			jdbc.execute("drop table " + table);
		}
		assertThat(states).as("transaction state as the batch's statement is prepared").containsExactly("OPEN");
	}

}
