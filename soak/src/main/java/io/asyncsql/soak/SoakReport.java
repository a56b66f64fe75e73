package io.asyncsql.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a soak did and whether every invariant held: operations by kind and outcome,
 * faults injected, the fault log and the invariants table.
 */
final class SoakReport {

	final String title;

	final Map<String, Long> operations = new TreeMap<>();

	final Map<String, Long> faults = new TreeMap<>();

	final List<String> faultLog = new ArrayList<>();

	final List<Invariant> invariants = new ArrayList<>();

	SoakReport(String title) {
		this.title = title;
	}

	void check(String name, Object value, boolean held) {
		this.invariants.add(new Invariant(name, String.valueOf(value), held));
	}

	boolean allHeld() {
		return !this.invariants.isEmpty() && this.invariants.stream().allMatch(Invariant::held);
	}

	static Map<String, Long> totals(Map<String, LongAdder> counts) {
		Map<String, Long> totals = new TreeMap<>();
		counts.forEach((key, count) -> totals.put(key, count.sum()));
		return totals;
	}

	@Override
	public String toString() {
		StringBuilder out = new StringBuilder();
		out.append("## ").append(this.title).append("\n\n");
		out.append("| operation | outcome | count |\n|---|---|---:|\n");
		this.operations.forEach((key, count) -> {
			String[] parts = key.split(" ", 2);
			out.append("| ").append(parts[0]).append(" | ").append(parts[1]).append(" | ").append(count).append(" |\n");
		});
		out.append("\n| fault | injected |\n|---|---:|\n");
		this.faults
			.forEach((fault, count) -> out.append("| ").append(fault).append(" | ").append(count).append(" |\n"));
		out.append("\n| invariant | value | held |\n|---|---|---|\n");
		for (Invariant invariant : this.invariants) {
			out.append("| ")
				.append(invariant.name())
				.append(" | ")
				.append(invariant.value())
				.append(" | ")
				.append(invariant.held() ? "yes" : "**NO**")
				.append(" |\n");
		}
		out.append("\nFault log (seconds from the start):\n\n```\n");
		this.faultLog.forEach((line) -> out.append(line).append('\n'));
		out.append("```\n");
		return out.toString();
	}

	record Invariant(String name, String value, boolean held) {

	}

}
