package io.asyncsql.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Every measurement of a run, per round, and the medians over rounds that the reports
 * print. Ratios to the ceiling are paired: each round's figure is divided by the
 * ceiling's of the same round, then the median is taken, so that drift of the machine
 * between rounds cancels out.
 */
final class Results {

	static final String CEILING = "ceiling";

	/**
	 * One closed-loop cell of one round.
	 *
	 * @param round the round, from 1
	 * @param workload the workload
	 * @param inFlight operations in flight
	 * @param contender the contender's name
	 * @param measurement what was measured
	 */
	record Cell(int round, Workload workload, int inFlight, String contender, Measurement measurement) {

	}

	/**
	 * One contender's burst in one round.
	 *
	 * @param round the round, from 1
	 * @param contender the contender's name
	 * @param result what was measured
	 */
	record BurstCell(int round, String contender, Burst.Result result) {

	}

	/**
	 * The medians of one workload, level and contender over the rounds.
	 *
	 * @param opsPerSecond median operations per second
	 * @param ratioToCeiling median of the per-round ratios of operations per second
	 * @param p50Millis median of the per-round medians
	 * @param p99Millis median of the per-round 99th percentiles
	 * @param p99ToLittle median of the per-round ratios of the p99 to that round's
	 * Little's-law reference (in flight ÷ the ceiling's ops/s)
	 * @param p99ToCohort median of the per-round {@link Measurement#p99ToCohort()}
	 * @param cpuMicrosPerOp median JVM CPU time per operation
	 * @param peakThreads median peak of live platform threads
	 * @param addedThreads median of the peak less the threads alive before the cell
	 * @param failures failures of all rounds together
	 * @param drained whether every round drained in time
	 */
	record Summary(double opsPerSecond, double ratioToCeiling, double p50Millis, double p99Millis, double p99ToLittle,
			double p99ToCohort, double cpuMicrosPerOp, double gcPauseMillis, double allocatedKiBPerOp,
			double peakThreads, double addedThreads, long failures, boolean drained) {

	}

	private final List<String> contenders;

	private final List<Integer> levels;

	private final List<Workload> workloads;

	private final List<Cell> cells = new ArrayList<>();

	private final List<BurstCell> bursts = new ArrayList<>();

	private final Map<Workload, List<Double>> pgbench = new EnumMap<>(Workload.class);

	private final List<Overhead.Result> overhead = new ArrayList<>();

	private final List<Streaming.Result> streaming = new ArrayList<>();

	private final List<String> notes = new ArrayList<>();

	Results(List<String> contenders, List<Integer> levels, List<Workload> workloads) {
		this.contenders = contenders;
		this.levels = levels;
		this.workloads = workloads;
	}

	List<Workload> workloads() {
		return this.workloads;
	}

	List<String> contenders() {
		return this.contenders;
	}

	List<Integer> levels() {
		return this.levels;
	}

	List<Cell> cells() {
		return this.cells;
	}

	List<String> notes() {
		return this.notes;
	}

	void add(Cell cell) {
		this.cells.add(cell);
		if (cell.measurement().firstFailure() != null) {
			note(cell.contender() + " " + cell.workload().label() + " at " + cell.inFlight() + " in flight, round "
					+ cell.round() + ": " + cell.measurement().failures() + " failures, first: "
					+ cell.measurement().firstFailure());
		}
		if (!cell.measurement().drained()) {
			note(cell.contender() + " " + cell.workload().label() + " at " + cell.inFlight()
					+ " in flight did not finish its last operations within the drain timeout");
		}
	}

	void add(BurstCell burst) {
		this.bursts.add(burst);
		if (burst.result().firstFailure() != null) {
			note(burst.contender() + " burst, round " + burst.round() + ": first failure: "
					+ burst.result().firstFailure());
		}
	}

	void addPgbench(Workload workload, double tps) {
		this.pgbench.computeIfAbsent(workload, (key) -> new ArrayList<>()).add(tps);
	}

	void addOverhead(Collection<Overhead.Result> results) {
		this.overhead.addAll(results);
	}

	void addStreaming(Streaming.Result result) {
		this.streaming.add(result);
	}

	/**
	 * Return the streaming results, one per round.
	 */
	List<Streaming.Result> streaming() {
		return this.streaming;
	}

	void note(String note) {
		this.notes.add(note);
	}

	/**
	 * Return the medians of a cell, or {@code null} when it was not measured.
	 */
	Summary summary(Workload workload, int inFlight, String contender) {
		List<Cell> rounds = select(this.cells, (cell) -> cell.workload() == workload && cell.inFlight() == inFlight
				&& cell.contender().equals(contender));
		if (rounds.isEmpty()) {
			return null;
		}
		List<Double> ratios = new ArrayList<>();
		List<Double> toLittle = new ArrayList<>();
		for (Cell cell : rounds) {
			Cell ceiling = find(this.cells, (other) -> other.round() == cell.round() && other.workload() == workload
					&& other.inFlight() == inFlight && other.contender().equals(CEILING));
			if (ceiling != null) {
				double ceilingOps = ceiling.measurement().opsPerSecond();
				ratios.add(cell.measurement().opsPerSecond() / ceilingOps);
				// The round's own reference: in flight ÷ that round's ceiling ops/s.
				toLittle.add(cell.measurement().p99Millis() / (inFlight / ceilingOps * 1000));
			}
		}
		return new Summary(median(rounds, (cell) -> cell.measurement().opsPerSecond()), median(ratios),
				median(rounds, (cell) -> cell.measurement().p50Millis()),
				median(rounds, (cell) -> cell.measurement().p99Millis()), median(toLittle),
				median(rounds, (cell) -> cell.measurement().p99ToCohort()),
				median(rounds, (cell) -> cell.measurement().cpuMicrosPerOp()),
				median(rounds, (cell) -> cell.measurement().gcMillis()),
				median(rounds, (cell) -> cell.measurement().allocatedBytesPerOp() / 1024),
				median(rounds, (cell) -> cell.measurement().peakThreads()),
				median(rounds, (cell) -> cell.measurement().peakThreads() - cell.measurement().idleThreads()),
				rounds.stream().mapToLong((cell) -> cell.measurement().failures()).sum(),
				rounds.stream().allMatch((cell) -> cell.measurement().drained()));
	}

	/**
	 * Return the bursts of one contender, one per round.
	 */
	List<Burst.Result> bursts(String contender) {
		return select(this.bursts, (burst) -> burst.contender().equals(contender)).stream()
			.map(BurstCell::result)
			.toList();
	}

	/**
	 * Return the median of per-round ratios of a contender's burst throughput to the
	 * ceiling's.
	 */
	double burstRatio(String contender) {
		List<Double> ratios = new ArrayList<>();
		for (BurstCell burst : select(this.bursts, (burst) -> burst.contender().equals(contender))) {
			BurstCell ceiling = find(this.bursts,
					(other) -> other.round() == burst.round() && other.contender().equals(CEILING));
			if (ceiling != null) {
				ratios.add(burst.result().opsPerSecond() / ceiling.result().opsPerSecond());
			}
		}
		return median(ratios);
	}

	List<Double> pgbench(Workload workload) {
		return this.pgbench.getOrDefault(workload, List.of());
	}

	/**
	 * Return the overhead results of one thread count, one per round.
	 */
	List<Overhead.Result> overhead(int threads) {
		return select(this.overhead, (result) -> result.threads() == threads);
	}

	static <T> double median(List<T> values, ToDoubleFunction<T> figure) {
		return median(values.stream().map((value) -> figure.applyAsDouble(value)).toList());
	}

	static double median(List<Double> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = values.stream().sorted().toList();
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	private static <T> List<T> select(List<T> values, Predicate<T> filter) {
		return values.stream().filter(filter).toList();
	}

	private static <T> T find(List<T> values, Predicate<T> filter) {
		return values.stream().filter(filter).findFirst().orElse(null);
	}

}
