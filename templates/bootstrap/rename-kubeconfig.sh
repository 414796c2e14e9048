{# Context: model::bootstrap::KubeconfigScript. Places no plan value: the runbook passes the names. -#}
# Copy the current context of a kubeconfig into OUT under names of its own: cluster NAME,
# user NAME-admin, context NAME. Every kubeadm admin.conf names its user kubernetes-admin,
# so kubeconfigs merged with KUBECONFIG=a:b would share one user (README.md).
# Needs only kubectl (no API server). The credentials reach the file through a here-document,
# never a command line, so they do not show in `ps`.
#
# Usage: sh rename-kubeconfig.sh SRC NAME OUT
set -eu
if [ "$#" -ne 3 ]; then
  echo "usage: $0 SRC NAME OUT" >&2
  exit 2
fi
src=$1
name=$2
out=$3
field() {
  kubectl --kubeconfig "$src" config view --raw --minify -o "jsonpath=$1"
}
server=$(field '{.clusters[0].cluster.server}')
ca=$(field '{.clusters[0].cluster.certificate-authority-data}')
cert=$(field '{.users[0].user.client-certificate-data}')
key=$(field '{.users[0].user.client-key-data}')
for value in "$server" "$ca" "$cert" "$key"; do
  if [ -z "$value" ]; then
    echo "$src: its current context has no server, CA data or client certificate data" >&2
    exit 1
  fi
done
umask 077
cat >"$out" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $name
    cluster:
      server: $server
      certificate-authority-data: $ca
users:
  - name: $name-admin
    user:
      client-certificate-data: $cert
      client-key-data: $key
contexts:
  - name: $name
    context:
      cluster: $name
      user: $name-admin
current-context: $name
KUBECONFIG
