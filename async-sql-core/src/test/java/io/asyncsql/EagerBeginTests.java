package io.asyncsql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lane's transaction is open at the server once it has begun, on drivers that would
 * send {@code BEGIN} only with its first statement (PostgreSQL's): a cancel that lands on
 * that {@code BEGIN} must never leave the statement to run, and commit, on its own.
 */
class EagerBeginTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void onlyPostgresqlBeginsLazily(TestDatabase database) throws SQLException {
		database.assumeAvailable();
		try (HikariDataSource pool = database.pool("eager-begin", 1); Connection connection = pool.getConnection()) {
			assertThat(EagerBegin.isNeeded(connection)).isEqualTo(database == TestDatabase.POSTGRESQL);
		}
	}

	@Test
	void postgresqlTransactionIsOpenAtTheServerOnceBegun() throws SQLException {
		TestDatabase database = TestDatabase.POSTGRESQL;
		database.assumeAvailable();
		try (HikariDataSource pool = database.pool("eager-begin", 2);
				AsyncEngine engine = AsyncEngine.builder(pool).name("eager-begin").build();
				HikariDataSource adminPool = database.pool("eager-begin-admin", 1);
				Connection admin = adminPool.getConnection()) {
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
			AsyncConnection lane = Futures.result(template.connect());
			try {
				int backend = Futures.result(lane.queryForObject("select pg_backend_pid()", Integer.class));
				assertThat(transactionOpen(admin, backend)).as("before begin").isFalse();
				AsyncTransaction transaction = Futures.result(lane.begin());
				assertThat(transactionOpen(admin, backend)).as("once begun, before any statement").isTrue();
				Futures.result(transaction.rollback());
				assertThat(transactionOpen(admin, backend)).as("after rollback").isFalse();
			}
			finally {
				assertThat(lane.close()).succeedsWithin(WAIT);
			}
		}
	}

	private static boolean transactionOpen(Connection admin, int backend) throws SQLException {
		try (PreparedStatement statement = admin
			.prepareStatement("select xact_start is not null from pg_stat_activity where pid = ?")) {
			statement.setInt(1, backend);
			try (ResultSet rows = statement.executeQuery()) {
				assertThat(rows.next()).as("backend " + backend + " in pg_stat_activity").isTrue();
				return rows.getBoolean(1);
			}
		}
	}

}
