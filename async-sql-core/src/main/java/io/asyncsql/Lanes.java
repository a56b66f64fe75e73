package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * Opens the lanes of an {@link AsyncEngine} (a {@link DefaultAsyncConnection}: one pooled
 * connection and one permit, held until closed), keeps track of the open ones so that
 * shutdown can abandon them, and passes a closed lane's permit on.
 */
final class Lanes {

	private final AsyncEngine engine;

	private final ConnectionBinding binding;

	private final LeakDetector leaks;

	private final Admission admission;

	private final Workers workers;

	private final Set<DefaultAsyncConnection> open = ConcurrentHashMap.newKeySet();

	Lanes(AsyncEngine engine, ConnectionBinding binding, LeakDetector leaks, Admission admission, Workers workers) {
		this.engine = engine;
		this.binding = binding;
		this.leaks = leaks;
		this.admission = admission;
		this.workers = workers;
	}

	/**
	 * Open a lane; the body of the operation that took its permit.
	 * @param opener who asked for it, captured on its thread by
	 * {@link LeakDetector#opener}, or {@code null} when leaks are not detected
	 */
	DefaultAsyncConnection open(EngineOperation<?> operation, Deadline deadline, JdbcTemplate jdbcTemplate,
			LeakDetector.@Nullable Opener opener) throws SQLException {
		Connection connection = this.binding.obtainConnection();
		try {
			DefaultAsyncConnection lane = new DefaultAsyncConnection(this.engine, connection, deadline, jdbcTemplate);
			lane.observation = operation.observation;
			// Before anything can release the lane (shutdown abandons the open ones).
			lane.leakWatch = this.leaks.watch(opener);
			this.open.add(lane);
			return lane;
		}
		catch (SQLException | RuntimeException ex) {
			JdbcUtils.closeConnection(connection);
			throw ex;
		}
	}

	/**
	 * Pass on the permit of a lane that has given its connection back.
	 */
	void released(DefaultAsyncConnection lane) {
		this.open.remove(lane);
		LeakDetector.Watch leakWatch = lane.leakWatch;
		if (leakWatch != null) {
			leakWatch.released();
		}
		EngineOperation<?> next = this.admission.release();
		if (next != null) {
			this.workers.dispatch(next);
		}
	}

	/**
	 * Cancel what every open lane runs, fail what it has queued and close it.
	 */
	void abandonAll() {
		for (DefaultAsyncConnection lane : this.open) {
			lane.abandon();
		}
	}

}
