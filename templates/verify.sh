{# Context: model::verify::VerifyModel. Every {{ value }} is one shell word (render/escape.rs, shell_word). -#}
# Checks, read-only, what the runbook in README.md says the clusters of mesh {{ mesh_id }} show
# once its steps are done. It runs only `kubectl get`, `kubectl exec ... curl`, `kubectl version`
# and `kubectl config`: it never changes a cluster. POSIX sh.
set -u

usage() {
	cat <<'EOF'
Usage: ./verify.sh [OPTION]...
Checks every expectation of the runbook (README.md) against the live clusters, read-only.

  --context-prefix P    the kubeconfig context of NAME is PNAME (default: NAME itself)
{% if reads_other_contexts %}
  --context NAME=CTX    the context of NAME (a cluster, the global cluster or the mesh's
                        API server) is CTX; repeatable, the last one for a NAME wins
{% else %}
  --context NAME=CTX    the context of cluster NAME is CTX; repeatable, the last one for
                        a NAME wins
{% endif %}
  --cluster NAME        check only what concerns cluster NAME
  --kubectl PATH        the kubectl to run (default: kubectl)
{% if has_failover %}
  --failover            check the state of the failover step (DestinationRules applied,
                        each sleep answered by its nearest locality) instead of the loop
                        that every version answers
{% endif %}
  -h, --help            this text

One line per check: ok, FAIL (expected, observed, the runbook step that sets it) or SKIP
(an optional context is missing); then a summary line.
Exit status: 0 every check passed, 1 a check failed, 2 kubectl or a context is missing,
or the options are wrong.
EOF
}

is_cluster() {
	case $1 in
{% for name in clusters %}
	{{ name }}) return 0 ;;
{% endfor %}
	esac
	return 1
}

newline='
'
kubectl=kubectl
prefix=
map=
only=
failover=no
while [ $# -gt 0 ]; do
	case $1 in
	--context-prefix=* | --context=* | --cluster=* | --kubectl=*)
		option=${1%%=*}
		value=${1#*=}
		shift
		set -- "$option" "$value" "$@"
		;;
	esac
	case $1 in
	--context-prefix | --context | --cluster | --kubectl)
		if [ $# -lt 2 ]; then
			echo "verify.sh: $1 needs a value (see --help)" >&2
			exit 2
		fi
		case $1 in
		--context-prefix) prefix=$2 ;;
		--cluster) only=$2 ;;
		--kubectl) kubectl=$2 ;;
		--context)
			case $2 in
			?*=?*) map=$2$newline$map ;;
			*)
				echo "verify.sh: --context takes NAME=CONTEXT, not $2" >&2
				exit 2
				;;
			esac
			;;
		esac
		shift 2
		;;
{% if has_failover %}
	--failover)
		failover=yes
		shift
		;;
{% endif %}
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "verify.sh: unknown option $1 (see --help)" >&2
		exit 2
		;;
	esac
done
if [ -n "$only" ] && ! is_cluster "$only"; then
	echo "verify.sh: --cluster $only: the plan has no such cluster" >&2
	exit 2
fi

# The context of NAME: the latest --context NAME=CTX, else the prefix and NAME.
context_of() {
	rest=$map
	while [ -n "$rest" ]; do
		line=${rest%%"$newline"*}
		rest=${rest#*"$newline"}
		case $line in
		"$1"=*)
			printf '%s\n' "${line#*=}"
			return
			;;
		esac
	done
	printf '%s%s\n' "$prefix" "$1"
}

if ! command -v "$kubectl" >/dev/null 2>&1; then
	echo "verify.sh: kubectl not found: $kubectl (pass --kubectl PATH)" >&2
	exit 2
fi
if ! "$kubectl" version --client >/dev/null 2>&1; then
	echo "verify.sh: $kubectl version --client fails" >&2
	exit 2
fi
if ! contexts=$("$kubectl" config get-contexts -o name 2>/dev/null); then
	echo "verify.sh: $kubectl config get-contexts fails" >&2
	exit 2
fi

has_context() {
	printf '%s\n' "$contexts" | grep -qxF -- "$1"
}

errors=$(mktemp) || exit 2
trap 'rm -f "$errors"' EXIT

# The words of $1, sorted, once each, separated by one space.
words() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# $1 on one line, for a FAIL line: line breaks as spaces, none at the end, (nothing) if empty.
flat() {
	text=$(printf '%s' "$1" | tr '\n' ' ' | sed 's/ *$//')
	printf '%s\n' "${text:-(nothing)}"
}

# The words of $1, sorted, each as often as it occurs.
items() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# The helloworld versions that answered (`Hello version: V, instance: ...` lines).
versions() {
	printf '%s\n' "$1" | sed -n 's/^Hello version: \([^,]*\),.*/\1/p' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# The words of $1 that are not words of $2.
missing_words() {
	rest=$1
	gone=
	while [ -n "$rest" ]; do
		word=${rest%% *}
		rest=${rest#"$word"}
		rest=${rest# }
		[ -n "$word" ] || continue
		case " $2 " in
		*" $word "*) ;;
		*) gone="$gone $word" ;;
		esac
	done
	printf '%s\n' "${gone# }"
}

# What is wrong with the pods listed in $1 (`NAME PHASE READY c=CONTAINERS, i=INIT_CONTAINERS,`):
# nothing when every pod is Running and Ready with an istio-proxy container or native sidecar.
pod_problems() {
	if [ -z "$1" ]; then
		echo "no pod"
		return
	fi
	printf '%s\n' "$1" | while IFS=' ' read -r name phase ready containers inits; do
		[ -n "$name" ] || continue
		if [ "$phase $ready" != "Running True" ]; then
			echo "$name is $phase, Ready=$ready"
			continue
		fi
		case "$containers $inits" in
		*[=,]istio-proxy,*) ;;
		*) echo "$name has no istio-proxy sidecar" ;;
		esac
	done | sed -n '1p'
}

passed=0
failed=0
skipped=0
missing=
phase=need

# check COMPARE TARGET OPTIONAL CLUSTER WHEN STEP WHAT EXPECTED KUBECTL-ARGUMENT...
#   Runs `kubectl --context <context of TARGET> KUBECTL-ARGUMENT...` and compares its output
#   with EXPECTED. CLUSTER is the plan cluster the check is about (- for the whole mesh).
check() {
	compare=$1 target=$2 optional=$3 about=$4 when=$5 step=$6 what=$7 expected=$8
	shift 8
	if [ -n "$only" ] && [ "$about" != "$only" ]; then
		return
	fi
	case $when in
	failover) [ "$failover" = yes ] || return ;;
	not-failover) [ "$failover" = no ] || return ;;
	esac
	context=$(context_of "$target")
	if [ "$phase" = need ]; then
		if [ "$optional" = false ] && ! has_context "$context"; then
			case "$newline$missing" in
			*"$newline$context$newline"*) ;;
			*)
				missing=$missing$context$newline
				echo "FAIL context $context of $target is not among kubectl's contexts: pass --context-prefix, or --context $target=CONTEXT"
				;;
			esac
		fi
		return
	fi
	if [ "$about" = - ]; then
		subject="$target: $what"
	else
		subject="$about: $what"
	fi
	if ! has_context "$context"; then
		skipped=$((skipped + 1))
		echo "SKIP $subject: no context $context (pass --context $target=CONTEXT)"
		return
	fi
	observed=$("$kubectl" --context "$context" "$@" 2>"$errors")
	status=$?
	problem=
	case $compare in
	equal | words | items | includes | pods | ready)
		if [ "$status" -ne 0 ]; then
			problem="kubectl failed: $(sed -n '1p' "$errors")"
		fi
		;;
	esac
	if [ -z "$problem" ]; then
		case $compare in
		equal)
			[ "$observed" = "$expected" ] || problem=$(flat "$observed")
			;;
		words)
			[ "$(words "$observed")" = "$(words "$expected")" ] || problem=$(flat "$observed")
			;;
		items)
			[ "$(items "$observed")" = "$(items "$expected")" ] || problem=$(flat "$observed")
			;;
		includes)
			gone=$(missing_words "$expected" "$(words "$observed")")
			[ -z "$gone" ] || problem="$(flat "$observed"), without $gone"
			;;
		pods)
			problem=$(pod_problems "$observed")
			;;
		ready)
			case $observed in
			[1-9]*/[1-9]*) [ "${observed%%/*}" = "${observed#*/}" ] || problem=$(flat "$observed") ;;
			*) problem=$(flat "$observed") ;;
			esac
			;;
		versions-all | versions-only)
			seen=$(versions "$observed")
			if [ -z "$seen" ]; then
				problem=$(flat "no answer: $(flat "$observed" | cut -c1-200) $(sed -n '1p' "$errors")")
			elif [ "$compare" = versions-all ]; then
				[ -z "$(missing_words "$expected" "$seen")" ] || problem="versions $seen"
			else
				[ -z "$(missing_words "$seen" "$expected")" ] || problem="versions $seen"
			fi
			;;
		esac
	fi
	if [ -z "$problem" ]; then
		passed=$((passed + 1))
		echo "ok   $subject"
	else
		failed=$((failed + 1))
		echo "FAIL $subject: expected ${expected:-(nothing)}, observed $problem (runbook step $step)"
	fi
}

checks() {
	:
{% for c in checks %}
	check {{ c.compare }} {{ c.target }} {{ c.optional }} {{ c.cluster }} {{ c.when }} {{ c.step }} {{ c.what }} {{ c.expected }}{% for a in c.args %} {{ a }}{% endfor +%}
{% endfor %}
}

checks
if [ -n "$missing" ]; then
	echo "verify.sh: stopped before any check: a context is missing (see kubectl config get-contexts -o name)"
	exit 2
fi
phase=run
checks
echo "summary: $passed ok, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ]; then
	exit 1
fi
exit 0
