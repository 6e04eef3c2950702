{
  description = "agents: a supervisor for a fleet of AI coding agents in tmux (dev shell)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.nodejs_20 pkgs.tmux pkgs.git ];
          shellHook = ''
            echo "agents dev shell: node $(node --version), $(tmux -V). Run: npm ci && npm test"
          '';
        };
      });
    };
}
