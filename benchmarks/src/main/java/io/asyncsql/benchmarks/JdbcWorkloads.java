package io.asyncsql.benchmarks;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * The workloads as blocking {@link JdbcOperations} calls: what the ceiling runs on its
 * own threads and what the do-it-yourself contenders hand to an executor.
 */
final class JdbcWorkloads {

	private JdbcWorkloads() {
	}

	static Object run(JdbcOperations jdbc, Workload workload, Object[] arguments) {
		return switch (workload) {
			case POINT_SELECT -> jdbc.queryForObject(workload.sql(), Item.JDBC_MAPPER, arguments);
			case INSERT -> jdbc.update(workload.sql(), arguments);
			case RANGE_READ -> jdbc.query(workload.sql(), Item.JDBC_MAPPER, arguments);
		};
	}

}
