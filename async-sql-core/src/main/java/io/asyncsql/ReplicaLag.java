package io.asyncsql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * How far a replica's data is behind its primary, as the database itself reports it. Only
 * PostgreSQL is asked; elsewhere the lag is unknown.
 * <p>
 * {@code now() - pg_last_xact_replay_timestamp()} alone grows while the primary is idle,
 * though nothing is missing, so a standby that has replayed all it received counts as
 * current.
 */
final class ReplicaLag {

	private static final String POSTGRESQL_LAG = "select case when not pg_is_in_recovery() then 0"
			+ " when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0"
			+ " else extract(epoch from (now() - pg_last_xact_replay_timestamp())) end";

	/** Whether the database is PostgreSQL; {@code null} until the first measurement. */
	private volatile @Nullable Boolean postgres;

	/**
	 * Measure the lag on the given connection of the replica.
	 * @return the lag, or empty when the database does not report one
	 */
	Optional<Duration> measure(Connection connection) throws SQLException {
		Boolean known = this.postgres;
		if (known == null) {
			String product = connection.getMetaData().getDatabaseProductName();
			known = product != null && product.toLowerCase(Locale.ROOT).contains("postgresql");
			this.postgres = known;
		}
		if (!known) {
			return Optional.empty();
		}
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(POSTGRESQL_LAG)) {
			result.next();
			double seconds = result.getDouble(1);
			if (result.wasNull()) {
				return Optional.empty();
			}
			return Optional.of(Duration.ofNanos((long) (Math.max(0, seconds) * 1_000_000_000L)));
		}
	}

}
