# Installs CPython on this Windows host; run by the wtsadmin.rds python_runtime role (ansible.builtin.script).
# Fetches the package to -Package (unless -Source is that file already), checks its SHA-256, installs or
# unpacks it into -InstallDir, checks that the new python.exe reports -Version, and removes the package.
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][string]$Source,       # https:// or http:// URL, UNC path, or a file on this host
    [Parameter(Mandatory = $true)][string]$Package,      # where the package is kept while it is installed
    [Parameter(Mandatory = $true)][ValidateSet('installer', 'embeddable')][string]$Kind,
    [Parameter(Mandatory = $true)][string]$InstallDir,
    [Parameter(Mandatory = $true)][string]$Version,
    [string]$Checksum = ''                               # SHA-256, hexadecimal; empty: not checked
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'  # the progress bar makes Invoke-WebRequest many times slower

try {
    if ($Source -match '^https?://') {
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        Invoke-WebRequest -Uri $Source -OutFile $Package -UseBasicParsing
    }
    elseif ($Source -ne $Package) {
        Copy-Item -LiteralPath $Source -Destination $Package -Force
    }

    if ($Checksum) {
        $actual = (Get-FileHash -LiteralPath $Package -Algorithm SHA256).Hash
        if ($actual -ne $Checksum) {
            throw "The SHA-256 of $Source is $actual, not $Checksum (python_runtime_checksum): nothing was installed."
        }
    }

    if ($Kind -eq 'installer') {
        $log = "$Package.log"
        $arguments = @('/quiet', 'InstallAllUsers=1', "TargetDir=`"$InstallDir`"", 'PrependPath=0', 'Include_test=0',
            'Shortcuts=0', 'AssociateFiles=0', '/log', "`"$log`"")
        $process = Start-Process -FilePath $Package -ArgumentList $arguments -Wait -PassThru
        if ($process.ExitCode -notin @(0, 3010)) {  # 3010: installed, a restart completes it
            throw "The Python installer ended with exit code $($process.ExitCode); its log is $log."
        }
    }
    else {
        Expand-Archive -LiteralPath $Package -DestinationPath $InstallDir -Force
    }

    # Get-Command with an escaped name finds python.exe by its literal path; a path string after & would have
    # its [ ] * ? taken as wildcards (about_Wildcards: escape them with a backtick to compare them literally).
    $python = Join-Path -Path $InstallDir -ChildPath 'python.exe'
    $command = Get-Command -Name ([Management.Automation.WildcardPattern]::Escape($python)) -CommandType Application
    $found = & $command -E -s -c 'import ctypes, platform; print(platform.python_version())'
    if ($found -ne $Version) {
        throw "$python reports version '$found' after the installation, not ${Version}; check python_runtime_version."
    }
    Write-Output "Installed Python $Version in $InstallDir."
}
finally {
    Remove-Item -LiteralPath $Package -Force -ErrorAction SilentlyContinue
}
