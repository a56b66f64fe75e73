package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which drivers keep a statement's query timeout in the session, so that the engine must
 * undo a deadline's timeout after its call: only H2, on every database the project runs
 * on, and the probe leaves the session as it found it.
 */
class SessionQueryTimeoutTests {

	@ParameterizedTest
	@EnumSource(TestDatabase.class)
	void onlyH2KeepsTheQueryTimeoutInTheSession(TestDatabase database) throws SQLException {
		database.assumeAvailable();
		try (HikariDataSource pool = database.pool("session-timeout", 1);
				Connection connection = pool.getConnection()) {
			assertThat(TrackedConnection.keepsQueryTimeoutInSession(connection)).isEqualTo(database == TestDatabase.H2);
			try (Statement statement = connection.createStatement()) {
				assertThat(statement.getQueryTimeout()).as("timeout after the probe").isZero();
			}
		}
	}

}
